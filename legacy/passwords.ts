import { hash } from '@node-rs/argon2';
import { hash32, TABLE_TAG } from './random';

/**
 * Legacy users' passwords. Real Argon2id hashes (what the users service verifies), but hashing
 * one per user would take minutes at 100k users (each costs ~19 MiB and tens of ms by design), so
 * there are only PASSWORD_COUNT distinct passwords, each hashed once per run and shared.
 *
 * The rule, for tests that later sign in as a migrated user: user number `index` (0-based, the
 * order the generator makes them in) has password `legacy-password-<index % 8>`. From a user's id,
 * legacyUserIndex() in tables/users.ts finds the index; legacyUser() gives email and password.
 */
export const PASSWORD_COUNT = 8;

export function legacyPasswordFor(userIndex: number): string {
  return `legacy-password-${userIndex % PASSWORD_COUNT}`;
}

/**
 * The hash of each of the PASSWORD_COUNT passwords. The salt comes from the seed rather than
 * from the system's randomness so that two runs with one seed write identical rows; that users
 * sharing a password share a hash is a property of this synthetic data, not of the real system.
 */
export async function legacyPasswordHashes(seed: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: PASSWORD_COUNT }, (_, k) => {
      const salt = Buffer.alloc(16);
      for (let i = 0; i < 4; i++) salt.writeUInt32BE(hash32(seed, TABLE_TAG.passwordSalt, k, i), i * 4);
      // The library's default cost (Argon2id, 19 MiB, 2 passes), as subgraphs/users/passwords.ts uses.
      return hash(legacyPasswordFor(k), { salt });
    }),
  );
}
