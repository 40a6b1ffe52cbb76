import { setTimeout as sleep } from 'node:timers/promises';

/** A running service as the supervisor sees it (scripts/serviceProcess.ts makes real ones). */
export interface SupervisedProcess {
  /** Resolves with the exit code (null when a signal ended it) once the process is gone. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  /** Wait before the first restart; each further crash within `crashWindowMs` doubles it. */
  initialBackoffMs: number;
  /** The longest wait between restarts. */
  maxBackoffMs: number;
  /** This many crashes within `crashWindowMs` is a crash loop: the service is given up on. */
  maxCrashes: number;
  crashWindowMs: number;
}

export interface SupervisorClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: SupervisorClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

type State = 'running' | 'restarting' | 'given up';

interface Service {
  name: string;
  launch: () => Promise<SupervisedProcess>;
  current: SupervisedProcess | null;
  /** A restart under way (stop() waits for it, then stops what it started). */
  relaunching: Promise<SupervisedProcess> | null;
  crashes: number[];
  state: State;
}

/**
 * Keeps `npm start`'s services running: a service that exits unexpectedly is started again (the
 * same way, so on the same port the gateway was told), after a pause that doubles with each crash
 * in the crash window; while it is down the others keep serving (the gateway answers its fields
 * with SERVICE_UNAVAILABLE). A service that keeps crashing is given up on alone, and the log says
 * so: the product runs on, degraded, rather than stopping everything for one service.
 */
export class Supervisor {
  private readonly services = new Map<string, Service>();
  private stopping = false;

  constructor(
    private readonly policy: RestartPolicy,
    private readonly log: (message: string) => void,
    private readonly clock: SupervisorClock = REAL_CLOCK,
  ) {}

  /**
   * Starts a service and watches it. Rejects when this first start fails (the caller decides
   * what a product that cannot start does); later failures are the supervisor's to handle.
   * Resolves with the process first started.
   */
  async start<T extends SupervisedProcess>(name: string, launch: () => Promise<T>): Promise<T> {
    if (this.services.has(name)) throw new Error(`${name} is already supervised`);
    const service: Service = { name, launch, current: null, relaunching: null, crashes: [], state: 'running' };
    this.services.set(name, service);
    let first: T;
    try {
      first = await launch();
    } catch (error) {
      this.services.delete(name);
      throw error;
    }
    service.current = first;
    this.watch(service, first);
    return first;
  }

  /** What became of each service: running, waiting to be restarted, or given up on. */
  status(): Record<string, State> {
    return Object.fromEntries([...this.services.values()].map((service) => [service.name, service.state]));
  }

  /** Stops every service, the last started first; no restart happens from now on. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const service of [...this.services.values()].reverse()) {
      const relaunched = await service.relaunching?.catch(() => null);
      await relaunched?.stop();
      await service.current?.stop();
    }
  }

  private watch(service: Service, process: SupervisedProcess): void {
    void process.exited.then((code) => {
      if (this.stopping || service.current !== process) return;
      service.current = null;
      void this.crashed(service, `exited unexpectedly (${code === null ? 'killed by a signal' : `code ${code}`})`);
    });
  }

  private async crashed(service: Service, what: string): Promise<void> {
    const now = this.clock.now();
    service.crashes = [...service.crashes.filter((at) => now - at < this.policy.crashWindowMs), now];
    const crashes = service.crashes.length;
    if (crashes >= this.policy.maxCrashes) {
      service.state = 'given up';
      this.log(
        `${service.name} ${what}; it crashed ${crashes} times within ${Math.round(this.policy.crashWindowMs / 1000)} s, so it is ` +
          `given up on and NOT restarted: the rest of the product keeps running without it (restart npm start to try again)`,
      );
      return;
    }
    const backoff = Math.min(this.policy.maxBackoffMs, this.policy.initialBackoffMs * 2 ** (crashes - 1));
    service.state = 'restarting';
    const window = Math.round(this.policy.crashWindowMs / 1000);
    this.log(`${service.name} ${what}; restarting it in ${backoff} ms (crash ${crashes} within ${window} s; at ${this.policy.maxCrashes} it is given up on)`);
    await this.clock.sleep(backoff);
    if (this.stopping) return;
    let restarted: SupervisedProcess;
    try {
      service.relaunching = service.launch();
      restarted = await service.relaunching;
    } catch (error) {
      if (this.stopping) return;
      return this.crashed(service, `failed to start again (${(error as Error).message ?? String(error)})`);
    } finally {
      service.relaunching = null;
    }
    if (this.stopping) return; // stop() stops it
    service.current = restarted;
    service.state = 'running';
    this.log(`${service.name} is running again`);
    this.watch(service, restarted);
  }
}
