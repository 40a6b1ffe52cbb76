import { SingleBar, Presets } from 'cli-progress';

/** Progress of one long step (a table scanned, a table migrated) on stderr. */
export interface ProgressTask {
  update(done: number): void;
  finish(done: number): void;
}

export interface Progress {
  start(label: string, total: number): ProgressTask;
}

const LINE_INTERVAL_MS = 2_000;

/**
 * A bar on a terminal (cli-progress); elsewhere (CI, a log file) a plain line every couple of
 * seconds and one at the end, so a long run is visibly alive without flooding the log.
 */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return {
    start(label, total) {
      if (stream.isTTY) {
        const bar = new SingleBar(
          { format: `${label.padEnd(34)} [{bar}] {percentage}% {value}/{total} {rate}/s`, stream, hideCursor: true },
          Presets.shades_classic,
        );
        const started = Date.now();
        const rate = (done: number) => Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
        bar.start(total, 0, { rate: 0 });
        return {
          update: (done) => bar.update(Math.min(done, total), { rate: rate(done) }),
          finish: (done) => {
            bar.setTotal(Math.max(total, done));
            bar.update(done, { rate: rate(done) });
            bar.stop();
          },
        };
      }
      let last = Date.now();
      const line = (done: number) =>
        stream.write(`${label}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${total ? Math.floor((100 * Math.min(done, total)) / total) : 100}%)\n`);
      return {
        update: (done) => {
          if (Date.now() - last < LINE_INTERVAL_MS) return;
          last = Date.now();
          line(done);
        },
        finish: line,
      };
    },
  };
}

/** For callers that want no output (tests, --quiet). */
export const NO_PROGRESS: Progress = { start: () => ({ update: () => undefined, finish: () => undefined }) };
