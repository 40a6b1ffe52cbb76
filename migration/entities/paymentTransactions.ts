import { iso, outcome, tooLong, type Entity } from '../entity';
import { deleteRows, readRows, writeRows } from '../writers';
import { countRows, existingIds, keyset } from './keyset';

const COLUMNS = { id: 'uuid', payment_id: 'uuid', status: 'text', status_message: 'text', psp_transaction_id: 'text', metadata: 'jsonb', created_at: 'timestamptz' };
const LIMITS = { status_message: 500, psp_transaction_id: 255 };
const SELECT = `SELECT id::text AS id, payment_id::text AS payment_id, status::text AS status, status_message, psp_transaction_id, metadata, created_at::timestamptz(3) AS created_at`;

function canonical(row: Record<string, unknown>): Record<string, unknown> {
  return {
    id: row.id, paymentId: row.payment_id, status: row.status, statusMessage: row.status_message ?? null,
    pspTransactionId: row.psp_transaction_id ?? null, metadata: row.metadata ?? null, createdAt: iso(row.created_at),
  };
}

/** payments.payment_transactions → the payments service: each payment's status history. */
export const paymentTransactions: Entity = {
  name: 'paymentTransactions',
  label: 'Payment history',
  from: 'payments.payment_transactions',
  to: () => 'payments service (PostgreSQL payment_transactions)',
  count: (source) => countRows(source, 'payments.payment_transactions'),
  read: (source, after, limit) => keyset(source, `${SELECT} FROM payments.payment_transactions WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`, after, limit),
  key: (row) => String(row.id),
  async transform(rows, context) {
    // Payments come first; one that could not be carried takes its history with it. (A plan,
    // before anything is carried, asks whether the payment is in the source.)
    const paymentIds = [...new Set(rows.map((row) => String(row.payment_id)))];
    const carried = context.dryRun ? await existingIds(context.source, 'payments.payments', paymentIds) : await existingIds(context.targets.payments, 'payments', paymentIds);
    return rows.map((row) => {
      const id = String(row.id);
      if (!carried.has(String(row.payment_id))) return { id, reject: `its payment ${String(row.payment_id)} was not carried` };
      const problem = tooLong(row, LIMITS);
      return problem ? { id, reject: problem } : outcome(id, canonical(row));
    });
  },
  write: (targets, fresh, known) => writeRows(targets.payments, 'payment_transactions', COLUMNS, { status: 'payment_status' }, fresh.map(toRow), known.map(toRow)),
  async readBack(targets, ids) {
    const rows = await readRows(targets.payments, `${SELECT} FROM payment_transactions WHERE id = ANY($1::uuid[])`, ids);
    return new Map(rows.map((row) => [String(row.id), canonical(row)]));
  },
  remove: (targets, ids) => deleteRows(targets.payments, 'payment_transactions', ids),
};

function toRow(entry: Record<string, unknown>): Record<string, unknown> {
  return { id: entry.id, payment_id: entry.paymentId, status: entry.status, status_message: entry.statusMessage, psp_transaction_id: entry.pspTransactionId, metadata: entry.metadata, created_at: entry.createdAt };
}
