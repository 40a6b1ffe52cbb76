import { AS_OF, DAY, HOUR, instant, MINUTE } from '../clock';
import { deletedUserIndex, dirtOrdinal, type LegacyPlan } from '../plan';
import { Random, rowId, TABLE_TAG } from '../random';
import type { TableSpec } from '../tableSpec';
import { CURRENCY_WEIGHTS, FAILURE_REASONS, PAYMENT_DESCRIPTIONS } from '../vocabulary';
import { legacyUserId, userCreatedAt, userRole } from './users';

export type PaymentStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
type PaymentType = 'INSTANT' | 'SCHEDULED' | 'RECURRING';

export type PaymentRow = {
  id: string;
  sender_id: string;
  recipient_id: string;
  amount: string;
  currency: string;
  status: PaymentStatus;
  type: PaymentType;
  description: string | null;
  metadata: string | null;
  psp_transaction_id: string | null;
  psp_status: string | null;
  failure_reason: string | null;
  completed_at: number | null;
  created_at: number;
  updated_at: number;
};

export type PaymentTransactionRow = {
  id: string;
  payment_id: string;
  status: PaymentStatus;
  status_message: string | null;
  psp_transaction_id: string | null;
  metadata: string | null;
  created_at: number;
};

export const PAYMENTS: TableSpec<PaymentRow> = {
  name: 'payments.payments',
  columns: {
    id: 'uuid',
    sender_id: 'uuid',
    recipient_id: 'uuid',
    amount: 'numeric',
    currency: 'text',
    status: 'text',
    type: 'text',
    description: 'text',
    metadata: 'jsonb',
    psp_transaction_id: 'text',
    psp_status: 'text',
    failure_reason: 'text',
    completed_at: 'timestamptz',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
};

export const PAYMENT_TRANSACTIONS: TableSpec<PaymentTransactionRow> = {
  name: 'payments.payment_transactions',
  columns: {
    id: 'uuid',
    payment_id: 'uuid',
    status: 'text',
    status_message: 'text',
    psp_transaction_id: 'text',
    metadata: 'jsonb',
    created_at: 'timestamptz',
  },
};

export function legacyPaymentId(seed: number, index: number): string {
  return rowId(seed, TABLE_TAG.payments, index);
}

/** Most payments went through; the status history (one transaction row per step) follows from the outcome. */
const STATUS_WEIGHTS: readonly (readonly [PaymentStatus, number])[] = [
  ['COMPLETED', 70],
  ['FAILED', 12],
  ['PENDING', 8],
  ['PROCESSING', 5],
  ['CANCELLED', 5],
];

function history(status: PaymentStatus, random: Random): PaymentStatus[] {
  switch (status) {
    case 'PENDING':
      return ['PENDING'];
    case 'PROCESSING':
      return ['PENDING', 'PROCESSING'];
    case 'COMPLETED':
      return random.chance(0.8) ? ['PENDING', 'PROCESSING', 'COMPLETED'] : ['PENDING', 'COMPLETED'];
    case 'FAILED':
      return random.chance(0.6) ? ['PENDING', 'PROCESSING', 'FAILED'] : ['PENDING', 'FAILED'];
    case 'CANCELLED':
      return ['PENDING', 'CANCELLED'];
  }
}

/** The payment service provider's own word for each state, which the legacy code stored beside ours. */
const PSP_STATUS: Record<PaymentStatus, string | null> = {
  PENDING: null,
  PROCESSING: 'pending',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'canceled',
};

const STATUS_MESSAGES: Record<PaymentStatus, string> = {
  PENDING: 'Payment created',
  PROCESSING: 'Submitted to provider',
  COMPLETED: 'Settled',
  FAILED: 'Declined by provider',
  CANCELLED: 'Cancelled by sender',
};

/** Log-uniform from 1.00 to 5,000.00 (as many coffees as invoices; median about 70), as numeric text. */
function amount(random: Random): string {
  const cents = Math.round(100 * Math.exp(random.float() * Math.log(5000)));
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A recipient: usually a vendor (shops get paid), sometimes anyone but the sender. */
function recipientOf(plan: LegacyPlan, random: Random, sender: number): number {
  for (let tries = 0; tries < 12; tries++) {
    const candidate = random.below(plan.users);
    if (candidate !== sender && userRole(plan.seed, candidate) === 'VENDOR') return candidate;
  }
  return (sender + 1 + random.below(plan.users - 1)) % plan.users;
}

/**
 * Payments `start`..`end-1` and their transactions (a payment's history is written with it, so
 * both come out of one pass over the payments). Dirt: on the planned few, the sender or the
 * recipient is a user deleted since (alternately), as in the real database.
 */
export function makePayments(plan: LegacyPlan, start: number, end: number): { payments: PaymentRow[]; transactions: PaymentTransactionRow[] } {
  const payments: PaymentRow[] = [];
  const transactions: PaymentTransactionRow[] = [];
  for (let index = start; index < end; index++) {
    const random = new Random(plan.seed, TABLE_TAG.payments, index);
    let sender = random.below(plan.users);
    let recipient = recipientOf(plan, random, sender);
    const orphan = dirtOrdinal(plan, 'orphanPayment', index);
    if (orphan >= 0) {
      if (orphan % 2 === 0) sender = deletedUserIndex(plan, orphan);
      else recipient = deletedUserIndex(plan, orphan);
    }
    const earliest = Math.max(userCreatedAt(plan, sender), userCreatedAt(plan, recipient));
    // Three days' margin: a payment's history (up to two days) ends before the snapshot too.
    const createdAt = earliest + random.float() * (AS_OF - 3 * DAY - earliest);
    const status = random.weighted(STATUS_WEIGHTS);
    const type = random.weighted<PaymentType>([['INSTANT', 75], ['SCHEDULED', 15], ['RECURRING', 10]]);
    const id = legacyPaymentId(plan.seed, index);
    const pspId = status === 'PENDING' ? null : `psp_${random.hex(12)}`;
    const failureReason = status === 'FAILED' ? random.pick(FAILURE_REASONS) : null;

    let at = createdAt;
    const steps = history(status, random);
    steps.forEach((step, number) => {
      if (number > 0) at += random.between(1, step === 'COMPLETED' ? 48 * 60 : 30) * MINUTE;
      transactions.push({
        // Index*3+step: at most 3 steps per payment, so ids stay unique (see rowId).
        id: rowId(plan.seed, TABLE_TAG.paymentTransactions, index * 3 + number),
        payment_id: id,
        status: step,
        status_message: step === 'FAILED' ? `Declined by provider: ${failureReason}` : STATUS_MESSAGES[step],
        psp_transaction_id: step === 'PENDING' ? null : pspId,
        metadata: step === 'PENDING' ? null : JSON.stringify({ psp: 'acmepay', attempt: 1, latencyMs: random.between(40, 2500) }),
        created_at: instant(at),
      });
    });

    payments.push({
      id,
      sender_id: legacyUserId(plan.seed, sender),
      recipient_id: legacyUserId(plan.seed, recipient),
      amount: amount(random),
      currency: random.weighted<string>(CURRENCY_WEIGHTS),
      status,
      type,
      description: random.chance(0.1) ? null : random.pick(PAYMENT_DESCRIPTIONS),
      // Older rows predate the metadata column's use: null rather than {}.
      metadata: random.chance(0.3)
        ? null
        : JSON.stringify({ channel: random.pick(['web', 'ios', 'android', 'api']), ...(type === 'RECURRING' ? { interval: 'monthly' } : {}) }),
      psp_transaction_id: pspId,
      psp_status: PSP_STATUS[status],
      failure_reason: failureReason,
      completed_at: status === 'COMPLETED' ? instant(at) : null,
      created_at: instant(createdAt),
      updated_at: instant(at + (random.chance(0.05) ? random.float() * 6 * HOUR : 0)),
    });
  }
  return { payments, transactions };
}
