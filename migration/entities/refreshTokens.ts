import { hashSecret } from '../../lib/auth/secrets';
import { iso, outcome, unresolvedUsers, usersStorage, type Entity } from '../entity';
import type { LegacySession, StoredLegacySession } from '../../subgraphs/users/domain';
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
  to: (targets) => `users service (${targets.usersEngine} refresh_tokens)`,
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
  ...usersStorage<StoredLegacySession>({
    write: (users, fresh, known) => users.refreshTokens.importLegacy(fresh.map(toSession), known.map(toSession)),
    byIds: (users, ids) => users.refreshTokens.legacySessions(ids),
    inIdOrder: (users) => users.refreshTokens.legacySessionsInIdOrder(),
    canonical: (session) => ({ id: session.id, userId: session.userId, tokenHash: session.tokenHash, expiresAt: iso(session.expiresAt), createdAt: iso(session.createdAt) }),
    remove: (users, ids) => users.refreshTokens.removeByIds(ids),
  }),
  // Ended in the legacy system since (logged out, or expired): ended here too.
  vanish: (targets, ids) => targets.users.refreshTokens.revokeByIds(ids),
  references: (users, carried) => unresolvedUsers(users, carried, ['userId'], false),
};

function toSession(token: Record<string, unknown>): LegacySession {
  return {
    id: String(token.id),
    userId: String(token.userId),
    tokenHash: String(token.tokenHash),
    expiresAt: new Date(token.expiresAt as string),
    createdAt: new Date(token.createdAt as string),
  };
}
