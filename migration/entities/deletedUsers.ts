import { mongoStorage, outcome, type Entity } from '../entity';
import { tombstoneFields } from '../../subgraphs/users/domain';
import { keyset } from './keyset';

/** Users that payments still name but auth.users lost (hard-deleted long ago). */
const GONE = `SELECT DISTINCT x.id::text AS id
  FROM (SELECT sender_id AS id FROM payments.payments UNION SELECT recipient_id FROM payments.payments) x
 WHERE NOT EXISTS (SELECT 1 FROM auth.users u WHERE u.id = x.id)`;

/**
 * Payments are financial records and keep naming users the legacy system deleted. Those users get
 * the tombstone a deletion leaves in the new layout, so the references are known to point at a
 * deleted user (the integrity check counts them as kept) rather than at nothing.
 */
export const deletedUsers: Entity = {
  name: 'deletedUsers',
  label: 'Deleted users (tombstones)',
  from: 'payments.payments (parties missing from auth.users)',
  to: 'users service (MongoDB users, as tombstones)',
  count: async (source) => Number((await source.query<{ n: string }>(`SELECT count(*) AS n FROM (${GONE}) g`)).rows[0]!.n),
  read: (source, after, limit) => keyset(source, `SELECT id FROM (${GONE}) g WHERE $1::text IS NULL OR id > $1::text ORDER BY id LIMIT $2`, after, limit),
  key: (row) => String(row.id),
  async transform(rows, context) {
    // A user the migration carried and then deleted, because the legacy system deleted them after
    // an earlier run, already has the tombstone.
    const ids = rows.map((row) => String(row.id));
    const tombstoned = await context.targets.users.db!.collection('users').find({ _id: { $in: ids }, deletedAt: { $ne: null } } as never, { projection: { _id: 1 } }).toArray();
    const already = new Set(tombstoned.map((doc) => String(doc._id)));
    return ids.map((id) => (already.has(id) ? { id, skip: 'already a tombstone: deleted in the legacy system after an earlier run' } : outcome(id, { id, deleted: true })));
  },
  ...mongoStorage({
    collection: 'users',
    document: toTombstone,
    canonical: (doc) => (doc.deletedAt ? { id: String(doc._id), deleted: true } : null),
    only: { deletedAt: { $ne: null } },
  }),
};

function toTombstone(user: Record<string, unknown>): Record<string, unknown> {
  const now = new Date();
  // As subgraphs/users/store.ts leaves a deleted user: no personal data, an email nobody can have.
  return { _id: user.id, role: 'CUSTOMER', ...tombstoneFields(String(user.id)), deletedAt: now, createdAt: now, updatedAt: now };
}
