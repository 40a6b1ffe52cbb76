import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpuTicks, peakRssKb, pin, processTree, resetPeakRss } from './procStats';

/** Every process the benchmark started and has not stopped yet. */
const running = new Set<BenchProcess>();

// Whatever way this process ends, nothing it started outlives it: a last, synchronous SIGKILL to
// each process group still there (the orderly stop is `stopAllBenchProcesses`).
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * One process the benchmark runs (a subgraph set, a gateway, a load generator's target), in a
 * process group of its own so that stopping it reaches anything it forked, with its output kept
 * for the error message when it fails.
 */
export class BenchProcess {
  private log = '';
  private exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk) => this.append(chunk));
    child.stderr?.on('data', (chunk) => this.append(chunk));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        running.delete(this);
        resolve();
      }),
    );
  }

  /** Runs `node <args>` (with an IPC channel: our entries exit when the benchmark goes away). */
  static node(name: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): BenchProcess {
    const child = spawn(process.execPath, [...cpuProfileArgs(name, process.env), ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    const started = new BenchProcess(name, child);
    running.add(started);
    return started;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  output(): string {
    return this.log;
  }

  private append(chunk: Buffer): void {
    // The last 20,000 characters are enough to say why something failed.
    this.log = (this.log + chunk.toString()).slice(-20_000);
  }

  /** Resolves with the first IPC message `accept` takes; rejects if the process exits first. */
  message<T>(accept: (message: any) => message is T, timeoutMs: number): Promise<T> {
    const answer = new Promise<T>((resolve, reject) => {
      if (!this.alive) return reject(new Error(`${this.name} exited with ${this.exitCode}:\n${this.log}`));
      const timer = setTimeout(() => done(new Error(`${this.name} sent no answer within ${timeoutMs} ms:\n${this.log}`)), timeoutMs);
      const onMessage = (message: unknown) => {
        if (accept(message)) done(undefined, message);
      };
      const onExit = () => done(new Error(`${this.name} exited with ${this.exitCode}:\n${this.log}`));
      const done = (error?: Error, message?: T) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve(message!);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
    // Awaited by the caller, except when what was to trigger the answer failed first: then it
    // must not surface as an unhandled rejection.
    answer.catch(() => undefined);
    return answer;
  }

  /** Sends an IPC message; rejects (rather than throwing an 'error' event) when the process is gone. */
  send(message: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.alive || !this.child.connected) return reject(new Error(`${this.name} is not running`));
      this.child.send(message as object, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Every process of its tree, pinned to `core`. */
  pin(core: number): void {
    for (const pid of processTree(this.pid)) pin(pid, core);
  }

  cpuTicks(): number {
    return processTree(this.pid).reduce((sum, pid) => sum + cpuTicks(pid), 0);
  }

  resetPeakRss(): boolean {
    return processTree(this.pid).every(resetPeakRss);
  }

  /** Peak RSS of its tree (each process's own peak, added), in MiB. */
  peakRssMb(): number {
    return processTree(this.pid).reduce((sum, pid) => sum + peakRssKb(pid), 0) / 1024;
  }

  kill(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM to its group, SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
    // Whatever it forked goes with it.
    this.kill('SIGKILL');
  }
}

/**
 * With BENCH_CPU_PROFILE_DIR set, each Node process writes V8 CPU profiles when it stops, into a
 * folder of its own there named after it (one file per thread, for Chrome DevTools or speedscope),
 * sampling every BENCH_CPU_PROFILE_INTERVAL_US (default 2000 µs: coarser than Node's 1000 µs, so
 * that the sampler alone does not keep a process from looking idle between rounds). Node refuses
 * --cpu-prof in NODE_OPTIONS, so it goes on the command line.
 */
function cpuProfileArgs(name: string, env: NodeJS.ProcessEnv): string[] {
  const dir = env.BENCH_CPU_PROFILE_DIR;
  if (!dir) return [];
  const interval = env.BENCH_CPU_PROFILE_INTERVAL_US ?? '2000';
  return ['--cpu-prof', '--cpu-prof-dir', join(dir, name.replace(/[^A-Za-z0-9]+/g, '-')), '--cpu-prof-interval', interval];
}

export async function stopAllBenchProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}
