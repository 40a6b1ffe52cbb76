import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../lib/metrics/Metrics';

/** How long one probe of a subgraph may take. */
const PROBE_TIMEOUT_MS = 2_000;

export interface SubgraphHealth {
  /** null until the first probe has answered or failed. */
  ready: boolean | null;
  checkedAt: string | null;
  /** The failed checks /ready named (e.g. database), or why it could not be asked. */
  problem: string | null;
  /** From the subgraph's /metrics.json (only when `readEvents`): its consumers' lag and its outbox. */
  consumers: { consumer: string; lagSeconds: number }[];
  outbox: { depth: number; oldestAgeSeconds: number } | null;
}

interface MetricJson {
  name: string;
  values: { value: number; labels: Record<string, string | number> }[];
}

/** The same address's /ready (or /metrics.json) for a subgraph's GraphQL URL. */
function sibling(graphqlUrl: string, path: string): string {
  const url = new URL(graphqlUrl);
  url.pathname = url.pathname.replace(/\/graphql\/?$/, '') + path;
  url.search = '';
  return url.toString();
}

/**
 * The gateway's view of each subgraph's health: every `intervalMs` it asks each subgraph's /ready
 * (200: ready) and sets `schemaflow_subgraph_ready{subgraph}`; with `readEvents` (the status page
 * is on) it also reads the subgraph's /metrics.json for its consumers' lag and its outbox. The
 * subgraphs are the ones of the supergraph being served (`track`).
 */
export class SubgraphWatch {
  private readonly urls = new Map<string, string>();
  private readonly health = new Map<string, SubgraphHealth>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Subgraphs being probed now: never two probes of one at once (one extra connection at most). */
  private readonly probing = new Set<string>();
  private readonly ready;

  constructor(
    metrics: Metrics,
    private readonly options: { intervalMs: number; readEvents: boolean },
    private readonly logger: Logger,
  ) {
    this.ready = metrics.gauge({
      name: 'schemaflow_subgraph_ready',
      help: "1 while the subgraph's /ready answers 200 to this gateway, else 0",
      labelNames: ['subgraph'],
    });
  }

  /** The subgraph is served at this URL (called for each subgraph of each supergraph loaded). */
  track(subgraph: string, graphqlUrl: string): void {
    const known = this.urls.has(subgraph);
    this.urls.set(subgraph, graphqlUrl);
    if (!known && this.timer) void this.probe(subgraph);
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = Promise.all([...this.urls.keys()].map((subgraph) => this.probe(subgraph))).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Each tracked subgraph's last known health, by name. */
  snapshot(): Map<string, SubgraphHealth> {
    const result = new Map<string, SubgraphHealth>();
    for (const subgraph of this.urls.keys()) {
      result.set(subgraph, this.health.get(subgraph) ?? { ready: null, checkedAt: null, problem: null, consumers: [], outbox: null });
    }
    return result;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async probe(subgraph: string): Promise<void> {
    if (this.probing.has(subgraph)) return;
    this.probing.add(subgraph);
    try {
      await this.probeNow(subgraph);
    } finally {
      this.probing.delete(subgraph);
    }
  }

  private async probeNow(subgraph: string): Promise<void> {
    const url = this.urls.get(subgraph)!;
    const previous = this.health.get(subgraph);
    let ready = false;
    let problem: string | null = null;
    try {
      const response = await fetch(sibling(url, '/ready'), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, string>; status?: string };
      ready = response.status === 200;
      if (!ready) {
        const failed = Object.entries(body.checks ?? {}).filter(([, result]) => result !== 'ok').map(([name]) => name);
        problem = failed.length > 0 ? `not ready: ${failed.join(', ')}` : `not ready (${body.status ?? response.status})`;
      }
    } catch {
      problem = 'does not answer';
    }
    if (previous && previous.ready !== ready) {
      if (ready) this.logger.info(`subgraph ${subgraph}: ready again`);
      else this.logger.warn(`subgraph ${subgraph}: ${problem}`);
    }
    this.ready.set({ subgraph }, ready ? 1 : 0);
    const events = ready && this.options.readEvents ? await this.readEvents(url) : null;
    this.health.set(subgraph, {
      ready,
      checkedAt: new Date().toISOString(),
      problem,
      consumers: events?.consumers ?? (ready ? [] : previous?.consumers ?? []),
      outbox: events?.outbox ?? previous?.outbox ?? null,
    });
  }

  private async readEvents(url: string): Promise<Pick<SubgraphHealth, 'consumers' | 'outbox'> | null> {
    try {
      const response = await fetch(sibling(url, '/metrics.json'), { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      if (response.status !== 200) return null;
      const families = (await response.json()) as MetricJson[];
      const family = (name: string) => families.find((metric) => metric.name === name)?.values ?? [];
      const consumers = family('schemaflow_event_consumer_lag_seconds').map((value) => ({ consumer: String(value.labels.consumer), lagSeconds: value.value }));
      const depth = family('schemaflow_outbox_depth')[0]?.value;
      const age = family('schemaflow_outbox_oldest_event_age_seconds')[0]?.value;
      return { consumers, outbox: depth === undefined ? null : { depth, oldestAgeSeconds: age ?? 0 } };
    } catch {
      return null;
    }
  }
}
