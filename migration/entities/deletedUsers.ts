import { outcome, usersStorage, type Entity } from '../entity';
import type { UserRecord } from '../../subgraphs/users/domain';
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
  to: (targets) => `users service (${targets.usersEngine} users, as tombstones)`,
  count: async (source) => Number((await source.query<{ n: string }>(`SELECT count(*) AS n FROM (${GONE}) g`)).rows[0]!.n),
  read: (source, after, limit) => keyset(source, `SELECT id FROM (${GONE}) g WHERE $1::text IS NULL OR id > $1::text ORDER BY id LIMIT $2`, after, limit),
  key: (row) => String(row.id),
  async transform(rows, context) {
    // A user the migration carried and then deleted, because the legacy system deleted them after
    // an earlier run, already has the tombstone.
    const ids = rows.map((row) => String(row.id));
    const status = await context.targets.users.users.statusOf(ids);
    return ids.map((id) => (status.get(id) === 'deleted' ? { id, skip: 'already a tombstone: deleted in the legacy system after an earlier run' } : outcome(id, { id, deleted: true })));
  },
  ...usersStorage<UserRecord>({
    // The users store makes each tombstone by its own delete rule (domain.ts tombstoneOf). A
    // tombstone's canonical form never changes, so none is ever `known` and changed: only fresh ones come.
    write: (users, fresh) => users.users.importTombstones(fresh.map((record) => String(record.id))),
    byIds: (users, ids) => users.users.records(ids),
    inIdOrder: (users) => users.users.recordsInIdOrder(),
    canonical: (record) => (record.deletedAt ? { id: record.id, deleted: true } : null),
    remove: (users, ids) => users.users.removeRecords(ids, 'tombstones'),
  }),
};
