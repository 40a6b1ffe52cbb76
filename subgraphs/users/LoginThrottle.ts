import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../lib/errors';
import type { AccountsConfig } from './accountsConfig';

/**
 * Login attempts are counted per account and per client address *before* the password is checked,
 * so a burst of parallel guesses is counted as it arrives. A successful login gives its attempt
 * back (and clears the account's count); a failed one keeps it and, past half the limit, is
 * answered more slowly. At the limit the account (or address) is locked for `lockSeconds` from
 * that moment, even for the right password.
 *
 * Counts live in this process (one users instance); several instances would share them through
 * rate-limiter-flexible's store for MongoDB or Redis.
 */
export class LoginThrottle {
  private readonly accounts: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;
  private readonly registrations: RateLimiterMemory;

  constructor(private readonly config: AccountsConfig['login']) {
    const window = { duration: config.lockSeconds, blockDuration: config.lockSeconds };
    this.accounts = new RateLimiterMemory({ points: config.maxFailuresPerAccount, ...window });
    this.addresses = new RateLimiterMemory({ points: config.maxFailuresPerAddress, ...window });
    this.registrations = new RateLimiterMemory({ points: config.maxRegistrationsPerAddressPerHour, duration: 3600 });
  }

  /** Sign-ups cost an Argon2 hash each (CPU and memory): bounded per client address. */
  async registration(address: string | null): Promise<void> {
    if (!address) return;
    try {
      await this.registrations.consume(address);
    } catch (refused) {
      throw tooManyAttempts(refused, 'sign-ups from this address');
    }
  }

  /** Takes one attempt for the account and the address, or refuses when either is used up. */
  async attempt(email: string, address: string | null): Promise<void> {
    try {
      await this.accounts.consume(email);
    } catch (refused) {
      throw tooManyAttempts(refused);
    }
    if (!address) return;
    try {
      await this.addresses.consume(address);
    } catch (refused) {
      await this.accounts.reward(email, 1);
      throw tooManyAttempts(refused);
    }
  }

  /** The attempt failed: it stays counted, and past half the limit the answer comes more slowly. */
  async failed(email: string): Promise<void> {
    const state = await this.accounts.get(email);
    const failures = state?.consumedPoints ?? 0;
    const half = Math.floor(this.config.maxFailuresPerAccount / 2);
    if (failures > half) await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, (failures - half) * 250)));
  }

  /** The attempt succeeded: the account's count is cleared and the address gets its attempt back. */
  async succeeded(email: string, address: string | null): Promise<void> {
    await this.accounts.delete(email);
    if (address) await this.addresses.reward(address, 1);
  }
}

function tooManyAttempts(refused: unknown, what = 'failed logins'): AppError {
  if (!(refused instanceof RateLimiterRes)) throw refused;
  const retryAfterSeconds = Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
  return new AppError('RATE_LIMITED', `too many ${what}; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
}
