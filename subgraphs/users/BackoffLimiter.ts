import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface BackoffOptions {
  /** Attempts allowed per key within `windowSeconds` before the key must wait. */
  points: number;
  windowSeconds: number;
  /** The first wait once the points are used up; each further time within a day it doubles. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
}

/** How long a key's backoff level is remembered after it last ran out. */
const STRIKE_MEMORY_SECONDS = 24 * 3600;

/** The answer to an attempt refused: how long until the key may try again. */
export class Refused {
  constructor(readonly retryAfterSeconds: number) {}
}

/**
 * A rate-limiter-flexible limiter whose key, once it has used up its points, waits
 * `backoffSeconds`, then twice that the next time it runs out, and so on up to
 * `maxBackoffSeconds`: exponential backoff rather than one long lock. Attempts are counted as they
 * arrive (`take`), so parallel attempts cannot get past the limit; `giveBack` returns one that
 * turned out not to count, `forget` clears a key (and its backoff level).
 */
export class BackoffLimiter {
  private readonly counts: RateLimiterMemory;
  private readonly strikes: RateLimiterMemory;

  constructor(private readonly options: BackoffOptions) {
    this.counts = new RateLimiterMemory({ points: options.points, duration: options.windowSeconds });
    this.strikes = new RateLimiterMemory({ points: Number.MAX_SAFE_INTEGER, duration: STRIKE_MEMORY_SECONDS });
  }

  /** Takes one attempt for `key`; resolves, or rejects with `Refused`. */
  async take(key: string): Promise<void> {
    try {
      await this.counts.consume(key);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      // The attempt that first goes past the points starts a wait; later ones are told its remainder.
      if (refused.consumedPoints === this.options.points + 1) {
        const strikes = (await this.strikes.consume(key)).consumedPoints;
        const wait = Math.min(this.options.maxBackoffSeconds, this.options.backoffSeconds * 2 ** (strikes - 1));
        await this.counts.block(key, wait);
        throw new Refused(wait);
      }
      throw new Refused(Math.max(1, Math.ceil(refused.msBeforeNext / 1000)));
    }
  }

  /** Refuses (with `Refused`) when `key` is waiting now, without taking an attempt. */
  async check(key: string): Promise<void> {
    const state = await this.counts.get(key);
    if (state && state.consumedPoints > this.options.points) throw new Refused(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
  }

  async giveBack(key: string): Promise<void> {
    // A key already waiting stays waiting: giving back would only start a second, longer wait.
    const state = await this.counts.get(key);
    if (state && state.consumedPoints <= this.options.points) await this.counts.reward(key, 1);
  }

  async forget(key: string): Promise<void> {
    await Promise.all([this.counts.delete(key), this.strikes.delete(key)]);
  }
}
