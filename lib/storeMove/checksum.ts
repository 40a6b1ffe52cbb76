import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';

/**
 * A record's checksum as verify compares it: SHA-256 of its JSON with keys sorted (dates as ISO
 * strings, both engines keep milliseconds), so a record read from MongoDB and its copy read from
 * PostgreSQL sum the same exactly when every field is equal.
 */
export function checksum(record: unknown): string {
  return createHash('sha256').update(stringify(record) ?? '').digest('hex');
}
