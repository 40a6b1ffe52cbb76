import { iso, outcome, usersStorage, type Entity } from '../entity';
import { domainEvent, type UserDeleted } from '../../lib/events/DomainEvent';
import type { ImportedUser, Role, UserRecord } from '../../subgraphs/users/domain';
import { countRows, keyset } from './keyset';

/** auth.users → the users service's `users`: ids, password hashes (as they are), lower-cased emails. */
export const users: Entity = {
  name: 'users',
  label: 'Accounts',
  from: 'auth.users',
  to: (targets) => `users service (${targets.usersEngine} users)`,
  count: (source) => countRows(source, 'auth.users'),
  read: (source, after, limit) =>
    keyset(
      source,
      `SELECT id::text AS id, email, password_hash, name, role, email_verified,
              created_at::timestamptz(3) AS created_at, updated_at::timestamptz(3) AS updated_at
         FROM auth.users WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
      after,
      limit,
    ),
  key: (row) => String(row.id),
  async transform(rows, context) {
    const merged = await context.mergedInto(rows.map((row) => String(row.id)));
    return rows.map((row) => {
      const id = String(row.id);
      const into = merged.get(id);
      if (into) return { id, skip: `merged into ${into}, the earlier account with the same email (emails compare case-insensitively now)` };
      return outcome(id, {
        id,
        email: String(row.email).toLowerCase(),
        name: row.name ?? null,
        role: row.role,
        emailVerified: row.email_verified === true,
        passwordHash: row.password_hash,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
      });
    });
  },
  ...usersStorage<UserRecord>({
    write: (users, fresh, known) => users.users.importUsers(fresh.map(toImported), known.map(toImported)),
    byIds: (users, ids) => users.users.records(ids),
    inIdOrder: (users) => users.users.recordsInIdOrder(),
    // A tombstone is not an account to carry (deletedUsers' records, or deleted since).
    canonical: (record) =>
      record.deletedAt
        ? null
        : {
            id: record.id,
            email: record.email,
            name: record.name,
            role: record.role,
            emailVerified: record.emailVerified,
            passwordHash: record.passwordHash,
            createdAt: iso(record.createdAt),
            updatedAt: iso(record.updatedAt),
          },
    remove: (users, ids) => users.users.removeRecords(ids, 'any'),
  }),
  // Deleted in the legacy system since it was carried: deleted here too, by the users service's
  // own delete (a tombstone, and user.deleted in its outbox, which the service relays to the others).
  async vanish(targets, ids) {
    for (const id of ids) await targets.users.users.delete(id, () => [domainEvent<UserDeleted>('users', 'user.deleted', { userId: id })]);
  },
};

function toImported(user: Record<string, unknown>): ImportedUser {
  return {
    id: String(user.id),
    email: String(user.email),
    name: (user.name as string | null) ?? null,
    role: user.role as Role,
    emailVerified: user.emailVerified === true,
    passwordHash: (user.passwordHash as string | null) ?? null,
    createdAt: new Date(user.createdAt as string),
    updatedAt: new Date(user.updatedAt as string),
  };
}
