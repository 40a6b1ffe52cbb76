import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { AuditFor } from '../../lib/events/audit';
import type { JsonObject } from '../../lib/json';
import type { PagesBatch, Tagged } from '../../lib/loaders';
import type { Page } from '../../lib/pagination';
import type { ReferenceScan } from '../../lib/references';
import type { Direction, Money, Payment, PaymentStatus, PaymentTransaction, PaymentType } from './domain';

export interface NewPayment {
  senderId: string;
  recipientId: string;
  /** Canonical, e.g. "12.50" (see money.ts). */
  amount: Money;
  currency: string;
  type: PaymentType;
  description: string | null;
  metadata: JsonObject | null;
  idempotencyKey: string | null;
  requestFingerprint: string;
}

export type CreateOutcome = { created: true; payment: Payment } | { created: false; payment: Payment };

export type StatusOutcome =
  | { ok: true; payment: Payment }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; current: PaymentStatus };

/** The users a payment names, as the integrity check scans them. */
export type PaymentParty = 'sender' | 'recipient';

/**
 * What the payments service needs of the database that keeps its payments. Every write also
 * writes its audit event (`audit`) to the store's outbox, atomically with the change.
 */
export interface PaymentStore extends ReferenceScan<PaymentParty> {
  findByIds(ids: readonly string[]): Promise<Payment[]>;
  findByIdempotencyKey(senderId: string, idempotencyKey: string): Promise<Payment | null>;
  /** A page of payments per user (newest first, at most `page.limit + 1` each), for many users at once. */
  pagesByUser(direction: Direction, userIds: readonly string[], page: Page): Promise<Tagged<Payment>[]>;
  /**
   * Several `pagesByUser` at once in one query (a gateway fetch asking a user's payments sent and
   * received): each batch's pages, in the order of `batches`.
   */
  pagesByUsers(batches: readonly PagesBatch<Direction>[]): Promise<Tagged<Payment>[][]>;
  /** The transactions of these payments, each payment's in order. */
  transactionsOf(paymentIds: readonly string[]): Promise<PaymentTransaction[]>;
  /**
   * Creates the payment PENDING with its first transaction. When the sender already has a payment
   * under the idempotency key (also one a concurrent request is creating), makes nothing and
   * returns that payment (`created: false`): one payment per key and sender, whatever the timing.
   */
  create(input: NewPayment, audit: AuditFor): Promise<CreateOutcome>;
  /**
   * Moves a payment from `from` to `to` and records the change as a transaction, only if it is
   * still in `from`: of two concurrent changes from one status, exactly one wins. FAILED keeps
   * `reason` as the failure reason; COMPLETED sets `completedAt`.
   */
  changeStatus(id: string, from: PaymentStatus, to: PaymentStatus, reason: string | null, audit: AuditFor): Promise<StatusOutcome>;
  /** Audit events written with the payments, waiting to be relayed. */
  outbox(): OutboxSource;
}
