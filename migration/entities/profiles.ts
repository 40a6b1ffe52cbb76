import { iso, outcome, tooLong, unresolvedUsers, type Entity } from '../entity';
import { deleteRows, readRows, writeRows } from '../writers';
import { countRows, existingIds, keyset } from './keyset';

const COLUMNS = { id: 'uuid', user_id: 'uuid', avatar_url: 'text', phone: 'text', address: 'text', bio: 'text', preferences: 'jsonb', created_at: 'timestamptz', updated_at: 'timestamptz' };
/** The new store's column sizes (prisma/profiles/schema.prisma). */
const LIMITS = { avatar_url: 2048, phone: 32, address: 500, bio: 2000 };
const SELECT = `SELECT id::text AS id, user_id::text AS user_id, avatar_url, phone, address, bio, preferences,
  created_at::timestamptz(3) AS created_at, updated_at::timestamptz(3) AS updated_at`;

function canonical(row: Record<string, unknown>, userId: string): Record<string, unknown> {
  return {
    id: row.id, userId, avatarUrl: row.avatar_url ?? null, phone: row.phone ?? null, address: row.address ?? null, bio: row.bio ?? null,
    preferences: row.preferences ?? {}, createdAt: iso(row.created_at), updatedAt: iso(row.updated_at),
  };
}

/**
 * profile.user_profiles → the profiles service. A profile whose user no longer exists is not
 * carried (the new layout deletes a deleted user's profile); a merged account's profile follows it
 * unless the account it was merged into has its own.
 */
export const profiles: Entity = {
  name: 'profiles',
  label: 'Profiles',
  from: 'profile.user_profiles',
  to: () => 'profiles service (PostgreSQL user_profiles)',
  count: (source) => countRows(source, 'profile.user_profiles'),
  read: (source, after, limit) => keyset(source, `${SELECT} FROM profile.user_profiles WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`, after, limit),
  key: (row) => String(row.id),
  async transform(rows, context) {
    const userIds = [...new Set(rows.map((row) => String(row.user_id)))];
    const [users, merged] = await Promise.all([existingIds(context.source, 'auth.users', userIds), context.mergedInto(userIds)]);
    const survivorsWithProfiles = await existingIds(context.source, 'profile.user_profiles', [...new Set(merged.values())], 'user_id');
    return rows.map((row) => {
      const id = String(row.id);
      const userId = String(row.user_id);
      if (!users.has(userId)) return { id, skip: `no such user ${userId}: a profile of a user deleted in the legacy system` };
      const into = merged.get(userId);
      if (into && survivorsWithProfiles.has(into)) return { id, skip: `its account was merged into ${into}, which has its own profile` };
      const problem = tooLong(row, LIMITS);
      return problem ? { id, reject: problem } : outcome(id, canonical(row, into ?? userId));
    });
  },
  write: (targets, fresh, known) => writeRows(targets.profiles, 'user_profiles', COLUMNS, {}, fresh.map(toRow), known.map(toRow)),
  async readBack(targets, ids) {
    const rows = await readRows(targets.profiles, `${SELECT} FROM user_profiles WHERE id = ANY($1::uuid[])`, ids);
    return new Map(rows.map((row) => [String(row.id), canonical(row, String(row.user_id))]));
  },
  // Gone from the legacy system since (or its user was deleted there): gone here too.
  vanish: (targets, ids) => deleteRows(targets.profiles, 'user_profiles', ids),
  remove: (targets, ids) => deleteRows(targets.profiles, 'user_profiles', ids),
  references: (users, carried) => unresolvedUsers(users, carried, ['userId'], false),
};

function toRow(profile: Record<string, unknown>): Record<string, unknown> {
  return {
    id: profile.id, user_id: profile.userId, avatar_url: profile.avatarUrl, phone: profile.phone, address: profile.address, bio: profile.bio,
    preferences: profile.preferences, created_at: profile.createdAt, updated_at: profile.updatedAt,
  };
}
