import { availableParallelism } from 'node:os';
import { cleanEnv, num, str } from 'envalid';

/** How the users service issues and guards credentials; parsed once at start (main.ts). */
export interface AccountsConfig {
  /** Ed25519 private key (PEM) that access tokens are signed with; only this service has it. */
  privateKey: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * Password hashing (Argon2, on libuv's thread pool: 4 threads by default, shared with DNS and
   * file I/O) runs at most `concurrency` at once, with at most `queue` waiting; beyond that a
   * sign-in or sign-up is refused with SERVICE_UNAVAILABLE, so a storm of them cannot starve the
   * process's other work.
   */
  hashing: { concurrency: number; queue: number };
  /** Login throttling (see LoginThrottle.ts): each limit reached means a wait that doubles each time. */
  login: {
    /** Failed logins for one account from one client address before that pair must wait. */
    maxFailuresPerAccountAndAddress: number;
    /** Failed logins from one client address, across accounts, before that address must wait. */
    maxFailuresPerAddress: number;
    /** Failed logins for one account from all addresses together: the backstop, much higher. */
    maxFailuresPerAccount: number;
    /** How long a failure counts. */
    failureWindowSeconds: number;
    /** The first wait once a limit is reached; it doubles each further time, up to `maxBackoffSeconds`. */
    backoffSeconds: number;
    maxBackoffSeconds: number;
    /** Sign-ups from one client address per hour (each costs an Argon2 hash). */
    maxRegistrationsPerAddressPerHour: number;
  };
}

/** Variables of the old hard lock: refused rather than quietly ignored, naming what replaced them. */
const REPLACED: Record<string, string> = {
  LOGIN_MAX_FAILURES: 'LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS (and LOGIN_MAX_FAILURES_PER_ACCOUNT)',
  LOGIN_LOCK_SECONDS: 'LOGIN_BACKOFF_SECONDS and LOGIN_BACKOFF_MAX_SECONDS',
};

export function accountsEnv(environment: NodeJS.ProcessEnv = process.env): AccountsConfig {
  for (const [name, replacement] of Object.entries(REPLACED)) {
    if (environment[name] !== undefined) throw new Error(`${name} is no longer read (logins back off instead of locking): use ${replacement}`);
  }
  const env = cleanEnv(environment, {
    JWT_PRIVATE_KEY: str({ desc: 'Ed25519 private key (PEM, PKCS#8) that access tokens are signed with' }),
    ACCESS_TOKEN_TTL_SECONDS: num({ default: 900, desc: 'Lifetime of an access token' }),
    REFRESH_TOKEN_TTL_SECONDS: num({ default: 30 * 24 * 3600, desc: 'Lifetime of a refresh token' }),
    LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS: num({ default: 5, desc: 'Failed logins for one account from one client address before that pair must wait' }),
    LOGIN_MAX_FAILURES_PER_ADDRESS: num({ default: 50, desc: 'Failed logins from one client address (any accounts) before it must wait' }),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: num({ default: 200, desc: 'Failed logins for one account from all addresses before it must wait (a backstop)' }),
    LOGIN_FAILURE_WINDOW_SECONDS: num({ default: 900, desc: 'How long a failed login counts' }),
    LOGIN_BACKOFF_SECONDS: num({ default: 30, desc: 'First wait once a login limit is reached; doubles each further time' }),
    LOGIN_BACKOFF_MAX_SECONDS: num({ default: 900, desc: 'Longest wait of the login backoff' }),
    PASSWORD_HASHING_CONCURRENCY: num({ default: defaultHashingConcurrency(), desc: 'Password hashes (Argon2) computed at once; default half the CPU cores, at least 1' }),
    PASSWORD_HASHING_QUEUE: num({ default: 64, desc: 'Sign-ins and sign-ups waiting for a hash before more are refused (SERVICE_UNAVAILABLE)' }),
    REGISTRATIONS_PER_ADDRESS_PER_HOUR: num({ default: 20, desc: 'Sign-ups allowed from one client address per hour' }),
  });
  return Object.freeze({
    privateKey: env.JWT_PRIVATE_KEY,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    hashing: { concurrency: Math.max(1, env.PASSWORD_HASHING_CONCURRENCY), queue: env.PASSWORD_HASHING_QUEUE },
    login: {
      maxFailuresPerAccountAndAddress: env.LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS,
      maxFailuresPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      maxFailuresPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      failureWindowSeconds: env.LOGIN_FAILURE_WINDOW_SECONDS,
      backoffSeconds: env.LOGIN_BACKOFF_SECONDS,
      maxBackoffSeconds: env.LOGIN_BACKOFF_MAX_SECONDS,
      maxRegistrationsPerAddressPerHour: env.REGISTRATIONS_PER_ADDRESS_PER_HOUR,
    },
  });
}

/** Half the cores: hashing keeps the other half (and libuv threads) for everything else. */
function defaultHashingConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}
