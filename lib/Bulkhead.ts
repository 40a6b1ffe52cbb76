import { AppError } from './errors';

export interface BulkheadOptions {
  /** How many run at once. */
  concurrency: number;
  /** How many may wait for a turn; one more is refused at once. */
  queue: number;
  /** What the work is, for the refusal's message ("sign-ins"). */
  what: string;
  /** Told to a refused caller. */
  retryAfterSeconds: number;
}

/**
 * Bounded concurrency with a bounded queue of its own, for expensive work (password hashing) that
 * would otherwise take every CPU and libuv thread from the rest of the process: beyond
 * `concurrency` work waits its turn, beyond `queue` waiting it is refused (SERVICE_UNAVAILABLE
 * with retryAfterSeconds), so a storm of it slows that work down, not everything else.
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: BulkheadOptions) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.options.concurrency) {
      this.active++;
    } else {
      if (this.waiting.length >= this.options.queue) {
        const { what, retryAfterSeconds } = this.options;
        throw new AppError('SERVICE_UNAVAILABLE', `too many ${what} at the moment; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
      }
      // The slot is handed over by the one finishing (it does not decrement `active`).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Running and waiting, for tests and metrics. */
  load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
