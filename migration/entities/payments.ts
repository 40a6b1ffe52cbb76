import { iso, outcome, tooLong, unresolvedUsers, type Entity } from '../entity';
import { deleteRows, readRows, writeRows } from '../writers';
import { countRows, keyset } from './keyset';

const COLUMNS = {
  id: 'uuid', sender_id: 'uuid', recipient_id: 'uuid', amount: 'numeric', currency: 'text', status: 'text', type: 'text',
  description: 'text', metadata: 'jsonb', failure_reason: 'text', psp_transaction_id: 'text', psp_status: 'text',
  completed_at: 'timestamptz', created_at: 'timestamptz', updated_at: 'timestamptz',
};
const CASTS = { status: 'payment_status', type: 'payment_type' };
/** The new store's column sizes (prisma/payments/schema.prisma). */
const LIMITS = { description: 500, failure_reason: 500, psp_transaction_id: 255, psp_status: 100 };

function canonical(row: Record<string, unknown>, sender: string, recipient: string): Record<string, unknown> {
  return {
    id: row.id, senderId: sender, recipientId: recipient, amount: row.amount, currency: row.currency, status: row.status, type: row.type,
    description: row.description ?? null, metadata: row.metadata ?? null, failureReason: row.failure_reason ?? null,
    pspTransactionId: row.psp_transaction_id ?? null, pspStatus: row.psp_status ?? null,
    completedAt: iso(row.completed_at), createdAt: iso(row.created_at), updatedAt: iso(row.updated_at),
  };
}

const SELECT = `SELECT id::text AS id, sender_id::text AS sender_id, recipient_id::text AS recipient_id, amount::text AS amount, currency, status::text AS status,
  type::text AS type, description, metadata, failure_reason, psp_transaction_id, psp_status, completed_at::timestamptz(3) AS completed_at,
  created_at::timestamptz(3) AS created_at, updated_at::timestamptz(3) AS updated_at`;

/**
 * payments.payments → the payments service, every one of them: financial records stay, also those
 * of users deleted long ago (who get tombstones, see deletedUsers.ts). A merged account's payments
 * follow it.
 */
export const payments: Entity = {
  name: 'payments',
  label: 'Payments',
  from: 'payments.payments',
  to: () => 'payments service (PostgreSQL payments)',
  count: (source) => countRows(source, 'payments.payments'),
  read: (source, after, limit) => keyset(source, `${SELECT} FROM payments.payments WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`, after, limit),
  key: (row) => String(row.id),
  async transform(rows, context) {
    const merged = await context.mergedInto(rows.flatMap((row) => [String(row.sender_id), String(row.recipient_id)]));
    return rows.map((row) => {
      const id = String(row.id);
      const problem = tooLong(row, LIMITS);
      if (problem) return { id, reject: problem };
      const party = (value: unknown) => merged.get(String(value)) ?? String(value);
      return outcome(id, canonical(row, party(row.sender_id), party(row.recipient_id)));
    });
  },
  write: (targets, fresh, known) => writeRows(targets.payments, 'payments', COLUMNS, CASTS, fresh.map(toRow), known.map(toRow)),
  async readBack(targets, ids) {
    const rows = await readRows(targets.payments, `${SELECT} FROM payments WHERE id = ANY($1::uuid[])`, ids);
    return new Map(rows.map((row) => [String(row.id), canonical(row, String(row.sender_id), String(row.recipient_id))]));
  },
  remove: (targets, ids) => deleteRows(targets.payments, 'payments', ids),
  // A tombstone counts: the payment names a user who was deleted, which is what it should say.
  references: (users, carried) => unresolvedUsers(users, carried, ['senderId', 'recipientId'], true),
};

function toRow(payment: Record<string, unknown>): Record<string, unknown> {
  return {
    id: payment.id, sender_id: payment.senderId, recipient_id: payment.recipientId, amount: payment.amount, currency: payment.currency,
    status: payment.status, type: payment.type, description: payment.description, metadata: payment.metadata, failure_reason: payment.failureReason,
    psp_transaction_id: payment.pspTransactionId, psp_status: payment.pspStatus, completed_at: payment.completedAt, created_at: payment.createdAt, updated_at: payment.updatedAt,
  };
}
