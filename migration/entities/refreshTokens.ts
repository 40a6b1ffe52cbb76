import { hashSecret } from '../../lib/auth/secrets';
import { iso, mongoStorage, outcome, unresolvedUsers, type Entity } from '../entity';
import { countRows, keyset } from './keyset';

/**
 * auth.refresh_tokens → the users service's `refresh_tokens`, only those still valid. Stored as
 * the service stores secrets (a SHA-256 hash); the service accepts the legacy token as it is and
 * rotates it into one of its own on first use.
 */
export const refreshTokens: Entity = {
  name: 'refreshTokens',
  label: 'Sessions',
  from: 'auth.refresh_tokens',
  to: 'users service (MongoDB refresh_tokens)',
  count: (source) => countRows(source, 'auth.refresh_tokens'),
  read: (source, after, limit) =>
    keyset(
      source,
      `SELECT id::text AS id, user_id::text AS user_id, token, expires_at::timestamptz(3) AS expires_at, created_at::timestamptz(3) AS created_at
         FROM auth.refresh_tokens WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
      after,
      limit,
    ),
  key: (row) => String(row.id),
  async transform(rows, context) {
    const merged = await context.mergedInto(rows.map((row) => String(row.user_id)));
    const now = Date.now();
    return rows.map((row) => {
      const id = String(row.id);
      if (new Date(row.expires_at as Date).getTime() <= now) return { id, skip: 'expired: a session that has ended is not carried' };
      const userId = String(row.user_id);
      return outcome(id, {
        id,
        userId: merged.get(userId) ?? userId,
        tokenHash: hashSecret(String(row.token)),
        expiresAt: iso(row.expires_at),
        createdAt: iso(row.created_at),
      });
    });
  },
  ...mongoStorage({
    collection: 'refresh_tokens',
    document: toDocument,
    canonical: (doc) => ({ id: String(doc._id), userId: doc.userId, tokenHash: doc.legacyTokenHash, expiresAt: iso(doc.expiresAt), createdAt: iso(doc.createdAt) }),
  }),
  // Ended in the legacy system since (logged out, or expired): ended here too.
  vanish: async (targets, ids) =>
    void (await targets.users.db!.collection('refresh_tokens').updateMany({ _id: { $in: [...ids] }, revokedAt: null } as never, { $set: { revokedAt: new Date() } })),
  references: (users, carried) => unresolvedUsers(users, carried, ['userId'], false),
};

function toDocument(token: Record<string, unknown>): Record<string, unknown> {
  return {
    _id: token.id,
    // Each carried session starts its own family: reuse detection works from its first rotation.
    familyId: token.id,
    userId: token.userId,
    secretHash: token.tokenHash,
    legacyTokenHash: token.tokenHash,
    expiresAt: new Date(token.expiresAt as string),
    usedAt: null,
    revokedAt: null,
    createdAt: new Date(token.createdAt as string),
  };
}
