import { cleanEnv, num, str } from 'envalid';

/** How the users service issues and guards credentials; parsed once at start (main.ts). */
export interface AccountsConfig {
  /** Ed25519 private key (PEM) that access tokens are signed with; only this service has it. */
  privateKey: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  login: {
    /** Failed logins for one account before it is refused for `lockSeconds`. */
    maxFailuresPerAccount: number;
    /** Failed logins from one client address before it is refused for `lockSeconds`. */
    maxFailuresPerAddress: number;
    lockSeconds: number;
    /** Sign-ups from one client address per hour (each costs an Argon2 hash). */
    maxRegistrationsPerAddressPerHour: number;
  };
}

export function accountsEnv(environment: NodeJS.ProcessEnv = process.env): AccountsConfig {
  const env = cleanEnv(environment, {
    JWT_PRIVATE_KEY: str({ desc: 'Ed25519 private key (PEM, PKCS#8) that access tokens are signed with' }),
    ACCESS_TOKEN_TTL_SECONDS: num({ default: 900, desc: 'Lifetime of an access token' }),
    REFRESH_TOKEN_TTL_SECONDS: num({ default: 30 * 24 * 3600, desc: 'Lifetime of a refresh token' }),
    LOGIN_MAX_FAILURES: num({ default: 5, desc: 'Failed logins per account before it is locked for LOGIN_LOCK_SECONDS' }),
    LOGIN_MAX_FAILURES_PER_ADDRESS: num({ default: 50, desc: 'Failed logins per client address before it is locked' }),
    LOGIN_LOCK_SECONDS: num({ default: 900, desc: 'How long an account or address stays locked' }),
    REGISTRATIONS_PER_ADDRESS_PER_HOUR: num({ default: 20, desc: 'Sign-ups allowed from one client address per hour' }),
  });
  return Object.freeze({
    privateKey: env.JWT_PRIVATE_KEY,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    login: {
      maxFailuresPerAccount: env.LOGIN_MAX_FAILURES,
      maxFailuresPerAddress: env.LOGIN_MAX_FAILURES_PER_ADDRESS,
      lockSeconds: env.LOGIN_LOCK_SECONDS,
      maxRegistrationsPerAddressPerHour: env.REGISTRATIONS_PER_ADDRESS_PER_HOUR,
    },
  });
}
