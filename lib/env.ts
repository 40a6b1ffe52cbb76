import { cleanEnv, makeValidator, str } from 'envalid';
import type { LogLevel } from './logger';

/**
 * Environment parsing shared by every process's `main.ts`: read once at start, validated, frozen.
 * envalid names each missing or malformed variable and exits non-zero before anything starts.
 */
export { bool, cleanEnv, str, url } from 'envalid';

/** A TCP port to listen on; unlike envalid's `port`, 0 is allowed (the OS picks a free port). */
export const port = makeValidator<number>((value) => {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 65535) throw new Error('must be a port number from 0 to 65535');
  return number;
});

export const logLevel = makeValidator<LogLevel>((value) => {
  if (['debug', 'info', 'warn', 'error', 'silent'].includes(value)) return value as LogLevel;
  throw new Error('must be one of debug, info, warn, error, silent');
});

/** The settings every service process reads. */
export function commonEnv(defaultPort: number) {
  return cleanEnv(process.env, {
    PORT: port({ default: defaultPort, desc: 'TCP port to listen on (0 picks a free port)' }),
    HOST: str({ default: '127.0.0.1', desc: 'Interface to listen on' }),
    LOG_LEVEL: logLevel({ default: 'info' }),
  });
}
