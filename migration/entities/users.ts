import { iso, mongoStorage, outcome, type Entity } from '../entity';
import { domainEvent, type UserDeleted } from '../../lib/events/DomainEvent';
import { updateWithEvents } from '../../lib/events/MongoOutbox';
import { tombstoneFields } from '../../subgraphs/users/domain';
import { countRows, keyset } from './keyset';

/** auth.users → the users service's `users`: ids, password hashes (as they are), lower-cased emails. */
export const users: Entity = {
  name: 'users',
  label: 'Accounts',
  from: 'auth.users',
  to: 'users service (MongoDB users)',
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
  ...mongoStorage({
    collection: 'users',
    document: toDocument,
    canonical: (doc) =>
      doc.deletedAt
        ? null
        : {
            id: String(doc._id),
            email: doc.email,
            name: doc.name ?? null,
            role: doc.role,
            emailVerified: doc.emailVerified === true,
            passwordHash: doc.passwordHash,
            createdAt: iso(doc.createdAt),
            updatedAt: iso(doc.updatedAt),
          },
  }),
  // Deleted in the legacy system since it was carried: deleted here too, as deleteUser does (a
  // tombstone, and user.deleted in its outbox, which the users service relays to the others).
  async vanish(targets, ids) {
    const users = targets.users.db!.collection('users');
    for (const id of ids) {
      await users.updateOne(
        { _id: id, deletedAt: null } as never,
        updateWithEvents(
          { ...tombstoneFields(id), updatedAt: new Date() },
          [domainEvent<UserDeleted>('users', 'user.deleted', { userId: id })],
        ) as never,
      );
    }
  },
};

function toDocument(user: Record<string, unknown>): Record<string, unknown> {
  return {
    _id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    emailVerified: user.emailVerified,
    passwordHash: user.passwordHash,
    createdAt: new Date(user.createdAt as string),
    updatedAt: new Date(user.updatedAt as string),
  };
}
