import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppError } from '../../lib/errors';
import type { AccountsConfig } from './accountsConfig';

/**
 * Failed logins are counted per account and per client address. Past half the limit each further
 * failure is answered more slowly; at the limit the account (or address) is refused for a while,
 * even with the right password. A successful login clears the account's count.
 *
 * Counts live in this process (one users instance); several instances would share them through
 * rate-limiter-flexible's store for MongoDB or Redis.
 */
export class LoginThrottle {
  private readonly accounts: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;

  constructor(private readonly config: AccountsConfig['login']) {
    this.accounts = new RateLimiterMemory({ points: config.maxFailuresPerAccount, duration: config.lockSeconds, blockDuration: config.lockSeconds });
    this.addresses = new RateLimiterMemory({ points: config.maxFailuresPerAddress, duration: config.lockSeconds, blockDuration: config.lockSeconds });
  }

  /** Refuses the attempt outright while the account or the address is locked. */
  async check(email: string, address: string | null): Promise<void> {
    const [account, client] = await Promise.all([this.accounts.get(email), address ? this.addresses.get(address) : null]);
    const locked = [
      account && account.consumedPoints >= this.config.maxFailuresPerAccount ? account.msBeforeNext : 0,
      client && client.consumedPoints >= this.config.maxFailuresPerAddress ? client.msBeforeNext : 0,
    ];
    const waitMs = Math.max(...locked);
    if (waitMs > 0) throw tooManyAttempts(waitMs);
  }

  /** Records a failure and waits a little longer each time past half the limit. */
  async failed(email: string, address: string | null): Promise<void> {
    const consumed = await Promise.all([
      this.accounts.penalty(email, 1),
      address ? this.addresses.penalty(address, 1) : null,
    ]);
    const failures = consumed[0].consumedPoints;
    const half = Math.floor(this.config.maxFailuresPerAccount / 2);
    if (failures > half) await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, (failures - half) * 250)));
  }

  async succeeded(email: string): Promise<void> {
    await this.accounts.delete(email);
  }
}

function tooManyAttempts(waitMs: number): AppError {
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  return new AppError('RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
}
