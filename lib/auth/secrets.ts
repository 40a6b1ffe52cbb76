import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque credentials (refresh tokens, team API tokens): a random secret handed out once and kept
 * only as its SHA-256, so a copy of the database holds nothing that signs anyone in. A digest is
 * enough here (unlike passwords): the secret has 256 bits of entropy, nothing to guess.
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a secret (hex SHA-256). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares in constant time, so response times say nothing about how much of a secret was right. */
export function secretMatches(storedHash: string, secret: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const given = Buffer.from(hashSecret(secret), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
