import { cleanEnv, makeValidator, num, str, url } from 'envalid';
import { defaultUrl } from '../schema/subgraphs';
import type { AuthConfig } from './auth/authenticator';
import { MIN_SECRET_LENGTH } from './auth/RequestSigner';
import type { LogLevel } from './logger';

/**
 * Environment parsing shared by every process's `main.ts`: read once at start, validated, frozen.
 * envalid names each missing or malformed variable and exits non-zero before anything starts.
 */
export { bool, cleanEnv, makeValidator, num, str, url } from 'envalid';

/**
 * For config parsed where exiting the process is not ours to decide (a function tests call): the
 * same message envalid would print, as an Error; main.ts prints it and exits.
 */
export function throwingReporter({ errors }: { errors: Partial<Record<string, Error>> }): void {
  const problems = Object.entries(errors).map(([name, error]) => `${name}: ${error?.message ?? 'invalid'}`);
  if (problems.length > 0) throw new Error(`invalid environment: ${problems.join('; ')}`);
}

/** A TCP port to listen on; unlike envalid's `port`, 0 is allowed (the OS picks a free port). */
export const port = makeValidator<number>((value) => {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 65535) throw new Error('must be a port number from 0 to 65535');
  return number;
});

/**
 * A MongoDB connection string. Not `url()`: a replica-set string lists several hosts
 * (mongodb://db1:27017,db2:27017/?replicaSet=rs0), which WHATWG URL parsing refuses.
 */
export const mongoUrl = makeValidator<string>((value) => {
  if (!/^mongodb(\+srv)?:\/\/\S+$/.test(value)) throw new Error('must be a mongodb:// or mongodb+srv:// connection string');
  return value;
});

export const logLevel = makeValidator<LogLevel>((value) => {
  if (['debug', 'info', 'warn', 'error', 'silent'].includes(value)) return value as LogLevel;
  throw new Error('must be one of debug, info, warn, error, silent');
});

/** The settings every process reads (each subgraph and the gateway), as an envalid spec. */
export function commonSpec(defaultPort: number) {
  return {
    PORT: port({ default: defaultPort, desc: 'TCP port to listen on (0 picks a free port)' }),
    HOST: str({ default: '127.0.0.1', desc: 'Interface to listen on' }),
    LOG_LEVEL: logLevel({ default: 'info' }),
    SHUTDOWN_DELAY_MS: num({ default: 0, desc: 'On SIGTERM, how long /ready answers 503 before the port closes' }),
  };
}

export function commonEnv(defaultPort: number) {
  return cleanEnv(process.env, commonSpec(defaultPort));
}

/** The key every service and the gateway verify access tokens with. */
export const jwtPublicKeySpec = () => str({ desc: "The users service's Ed25519 public key (PEM) that access tokens are verified with" });

/** The secret the gateway and the services sign their requests to each other with (lib/auth/RequestSigner.ts). */
export const signingSecretSpec = () =>
  makeValidator<string>((value) => {
    if (value.length < MIN_SECRET_LENGTH) throw new Error(`must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`);
    return value;
  })({ desc: 'Shared secret (>= 32 characters) that requests between the gateway and the services are signed with' });

/** JWT_PUBLIC_KEY, TEAMS_SUBGRAPH_URL, TRUSTED_PROXIES, INTERNAL_SIGNING_SECRET: what every service needs to verify callers. */
export function authEnv(environment: NodeJS.ProcessEnv = process.env): AuthConfig {
  const env = cleanEnv(environment, {
    JWT_PUBLIC_KEY: jwtPublicKeySpec(),
    TEAMS_SUBGRAPH_URL: url({ default: defaultUrl('teams'), desc: 'The teams subgraph, which checks team API tokens' }),
    TRUSTED_PROXIES: str({ default: '127.0.0.1,::1,::ffff:127.0.0.1', desc: 'Comma-separated gateway addresses whose x-client-ip header is believed (in signed requests)' }),
    INTERNAL_SIGNING_SECRET: signingSecretSpec(),
  });
  return {
    publicKey: env.JWT_PUBLIC_KEY,
    teamsUrl: env.TEAMS_SUBGRAPH_URL,
    trustedProxies: env.TRUSTED_PROXIES.split(',').map((address) => address.trim()).filter(Boolean),
    signingSecret: env.INTERNAL_SIGNING_SECRET,
  };
}
