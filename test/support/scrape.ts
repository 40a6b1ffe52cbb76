/** One sample of Prometheus's text format: `name{label="value",...} number`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (enough of it for prom-client's output: no timestamps). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** A scrape of one process's /metrics. */
export class Scrape {
  constructor(readonly samples: Sample[]) {}

  static async of(origin: string): Promise<Scrape> {
    const response = await fetch(new URL('/metrics', origin));
    if (response.status !== 200) throw new Error(`${origin}/metrics answered ${response.status}`);
    return new Scrape(parseExposition(await response.text()));
  }

  /** The sum of the samples of `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((total, sample) => total + sample.value, 0);
  }

  /** Whether any sample of `name` exists. */
  has(name: string): boolean {
    return this.samples.some((sample) => sample.name === name);
  }

  /** How much `name` (summed over `labels`) grew since `before`. */
  delta(before: Scrape, name: string, labels: Record<string, string> = {}): number {
    return this.sum(name, labels) - before.sum(name, labels);
  }
}
