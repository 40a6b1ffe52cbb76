import { hash, verify } from '@node-rs/argon2';
import { badInput } from '../../lib/errors';

/** Long enough to resist guessing; short enough that hashing one cannot be used to burn CPU. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function requirePassword(value: unknown, field: string): string {
  if (typeof value !== 'string') throw badInput(field, 'must be a string');
  if (value.length < PASSWORD_MIN) throw badInput(field, `must be at least ${PASSWORD_MIN} characters`);
  if (value.length > PASSWORD_MAX) throw badInput(field, `must be at most ${PASSWORD_MAX} characters`);
  return value;
}

/**
 * Argon2id (the library's default algorithm and cost: 19 MiB, 2 passes, 1 lane, as OWASP
 * recommends; about 50 ms of one core each); the hash string carries its own parameters and salt,
 * so costs can rise later without a migration. @node-rs/argon2 computes on libuv's thread pool
 * (4 threads unless UV_THREADPOOL_SIZE says otherwise, shared with DNS lookups and file I/O):
 * callers go through the users service's hashing bulkhead (Accounts), which keeps it to a few at once.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password and for a hash this service cannot read. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the account does not exist, so an unknown email costs the same
 * time as a wrong password and response times do not reveal which emails have accounts.
 */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy password that never matches');
  return decoy;
}
