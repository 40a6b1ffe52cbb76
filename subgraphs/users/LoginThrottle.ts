import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../lib/errors';
import type { AccountsConfig } from './accountsConfig';
import { BackoffLimiter, Refused } from './BackoffLimiter';

/**
 * Login attempts are counted *before* the password is checked, so a burst of parallel guesses is
 * counted as it arrives, three ways:
 *
 * - per account and client address: the owner's own address after a few failures, and an
 *   attacker's address guessing that account. This is the limit that bites first; because it is
 *   per pair, an attacker who knows an email cannot lock its owner out of their own address.
 * - per address, across accounts: one address trying many accounts.
 * - per account, across addresses: a much higher backstop against guesses spread over many
 *   addresses (it is the only one an attacker can make the owner feel, so it is high).
 *
 * A limit reached means a wait (RATE_LIMITED with retryAfterSeconds) that doubles each time that
 * limit is reached again, never one long lock. A successful login gives its attempt back and
 * clears its pair's count and backoff.
 *
 * Counts live in this process (one users instance); several instances would share them through
 * rate-limiter-flexible's store for MongoDB or Redis.
 */
export class LoginThrottle {
  private readonly pairs: BackoffLimiter;
  private readonly addresses: BackoffLimiter;
  private readonly accounts: BackoffLimiter;
  private readonly registrations: RateLimiterMemory;

  constructor(config: AccountsConfig['login']) {
    const backoff = { windowSeconds: config.failureWindowSeconds, backoffSeconds: config.backoffSeconds, maxBackoffSeconds: config.maxBackoffSeconds };
    this.pairs = new BackoffLimiter({ points: config.maxFailuresPerAccountAndAddress, ...backoff });
    this.addresses = new BackoffLimiter({ points: config.maxFailuresPerAddress, ...backoff });
    this.accounts = new BackoffLimiter({ points: config.maxFailuresPerAccount, ...backoff });
    this.registrations = new RateLimiterMemory({ points: config.maxRegistrationsPerAddressPerHour, duration: 3600 });
  }

  /** Sign-ups cost an Argon2 hash each (CPU and memory): bounded per client address. */
  async registration(address: string | null): Promise<void> {
    if (!address) return;
    try {
      await this.registrations.consume(address);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      throw rateLimited('sign-ups from this address', Math.max(1, Math.ceil(refused.msBeforeNext / 1000)));
    }
  }

  /** Refuses at once when one of the limits is making this sign-in wait now; takes nothing. */
  async check(email: string, address: string | null): Promise<void> {
    for (const [limiter, key, what] of this.limits(email, address)) {
      try {
        await limiter.check(key);
      } catch (refused) {
        if (!(refused instanceof Refused)) throw refused;
        throw rateLimited(what, refused.retryAfterSeconds);
      }
    }
  }

  /**
   * Takes one attempt from each limit, or refuses (giving back what it took) when one is used up.
   * The same answer whether the account exists or not. Taken right before the password is
   * checked (see Accounts.login), so attempts still waiting for their turn to be hashed do not
   * count against an address and refuse the right passwords of others behind it.
   */
  async attempt(email: string, address: string | null): Promise<void> {
    const steps = this.limits(email, address);
    const taken: [BackoffLimiter, string][] = [];
    for (const [limiter, key, what] of steps) {
      try {
        await limiter.take(key);
        taken.push([limiter, key]);
      } catch (refused) {
        if (!(refused instanceof Refused)) throw refused;
        await Promise.all(taken.map(([took, tookKey]) => took.giveBack(tookKey)));
        throw rateLimited(what, refused.retryAfterSeconds);
      }
    }
  }

  private limits(email: string, address: string | null): [BackoffLimiter, string, string][] {
    return [
      [this.pairs, pairKey(email, address), 'failed logins for this account from this address'],
      ...(address ? [[this.addresses, address, 'failed logins from this address'] as [BackoffLimiter, string, string]] : []),
      [this.accounts, email, 'failed logins for this account'],
    ];
  }

  /** The attempt succeeded: it no longer counts anywhere, and its pair starts afresh. */
  async succeeded(email: string, address: string | null): Promise<void> {
    await Promise.all([
      this.pairs.forget(pairKey(email, address)),
      address ? this.addresses.giveBack(address) : undefined,
      this.accounts.giveBack(email),
    ]);
  }
}

function pairKey(email: string, address: string | null): string {
  return `${email}\n${address ?? ''}`;
}

function rateLimited(what: string, retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMITED', `too many ${what}; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
}
