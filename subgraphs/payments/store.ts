import type { Tagged } from '../../lib/loaders';
import type { Page } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/prisma';
import { pagesByParent } from '../../lib/sqlPaging';
import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import { PrismaOutbox, writeOutbox } from '../../lib/events/PrismaOutbox';
import {
  Prisma,
  type Payment,
  type PaymentStatus,
  type PaymentTransaction,
  type PaymentType,
  type PrismaClient,
} from '../../prisma/payments/generated/client';

export type { Payment, PaymentStatus, PaymentTransaction, PaymentType };
export const PAYMENT_TYPES = ['INSTANT', 'SCHEDULED', 'RECURRING'] as const satisfies readonly PaymentType[];
export type Direction = 'SENT' | 'RECEIVED' | 'ALL';

const PARENT_COLUMNS: Record<Direction, readonly string[]> = {
  SENT: ['sender_id'],
  RECEIVED: ['recipient_id'],
  ALL: ['sender_id', 'recipient_id'],
};

interface PaymentRow {
  id: string;
  sender_id: string;
  recipient_id: string;
  amount: Prisma.Decimal;
  currency: string;
  status: PaymentStatus;
  type: PaymentType;
  description: string | null;
  metadata: Prisma.JsonValue;
  failure_reason: string | null;
  psp_transaction_id: string | null;
  psp_status: string | null;
  idempotency_key: string | null;
  request_fingerprint: string | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  parent_id: string;
}

function fromRow(row: PaymentRow): Tagged<Payment> {
  return {
    parentId: row.parent_id,
    row: {
      id: row.id,
      senderId: row.sender_id,
      recipientId: row.recipient_id,
      amount: row.amount,
      currency: row.currency,
      status: row.status,
      type: row.type,
      description: row.description,
      metadata: row.metadata,
      failureReason: row.failure_reason,
      pspTransactionId: row.psp_transaction_id,
      pspStatus: row.psp_status,
      idempotencyKey: row.idempotency_key,
      requestFingerprint: row.request_fingerprint,
      completedAt: row.completed_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    },
  };
}

export interface NewPayment {
  senderId: string;
  recipientId: string;
  /** Canonical decimal string, e.g. "12.50" (see money.ts). */
  amount: string;
  currency: string;
  type: PaymentType;
  description: string | null;
  metadata: Prisma.InputJsonValue | null;
  idempotencyKey: string | null;
  requestFingerprint: string;
}

export type CreateOutcome = { created: true; payment: Payment } | { created: false; payment: Payment };

export type StatusOutcome =
  | { ok: true; payment: Payment }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; current: PaymentStatus };

/** The payments service's data access: every query it sends to its PostgreSQL database. */
export class PaymentStore {
  constructor(private readonly db: PrismaClient) {}

  findByIds(ids: readonly string[]): Promise<Payment[]> {
    return this.db.payment.findMany({ where: { id: { in: [...ids] } } });
  }

  findByIdempotencyKey(senderId: string, idempotencyKey: string): Promise<Payment | null> {
    return this.db.payment.findUnique({ where: { senderId_idempotencyKey: { senderId, idempotencyKey } } });
  }

  async pagesByUser(direction: Direction, userIds: readonly string[], page: Page): Promise<Tagged<Payment>[]> {
    const rows = await this.db.$queryRaw<PaymentRow[]>(pagesByParent('payments', PARENT_COLUMNS[direction], userIds, page));
    return rows.map(fromRow);
  }

  transactionsOf(paymentIds: readonly string[]): Promise<PaymentTransaction[]> {
    return this.db.paymentTransaction.findMany({
      where: { paymentId: { in: [...paymentIds] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /**
   * Creates the payment and its first transaction row together. When a concurrent request with the
   * same idempotency key won the race, returns that request's payment instead (`created: false`).
   */
  async create(input: NewPayment, audit: AuditFor): Promise<CreateOutcome> {
    const { metadata, ...rest } = input;
    try {
      const payment = await this.db.$transaction(async (tx) => {
        const created = await tx.payment.create({
          data: { id: newId(), ...rest, metadata: metadata ?? Prisma.DbNull, status: 'PENDING' },
        });
        await tx.paymentTransaction.create({ data: { id: newId(), paymentId: created.id, status: 'PENDING' } });
        await writeOutbox(tx, [audit(created.id)]);
        return created;
      });
      return { created: true, payment };
    } catch (error) {
      if (input.idempotencyKey && isUniqueViolation(error, 'payments_sender_id_idempotency_key_key')) {
        const existing = await this.findByIdempotencyKey(input.senderId, input.idempotencyKey);
        if (existing) return { created: false, payment: existing };
      }
      throw error;
    }
  }

  /**
   * Moves a payment from `from` to `to` and records the change, in one transaction. The update
   * matches on the current status, so two concurrent changes cannot both win.
   */
  async changeStatus(id: string, from: PaymentStatus, to: PaymentStatus, reason: string | null, audit: AuditFor): Promise<StatusOutcome> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.payment.updateMany({
        where: { id, status: from },
        data: {
          status: to,
          ...(to === 'FAILED' ? { failureReason: reason } : {}),
          ...(to === 'COMPLETED' ? { completedAt: new Date() } : {}),
        },
      });
      if (count === 0) {
        const current = await tx.payment.findUnique({ where: { id }, select: { status: true } });
        return current ? { ok: false, reason: 'not-allowed', current: current.status } : { ok: false, reason: 'not-found' };
      }
      await tx.paymentTransaction.create({ data: { id: newId(), paymentId: id, status: to, statusMessage: reason } });
      await writeOutbox(tx, [audit(id)]);
      const payment = await tx.payment.findUniqueOrThrow({ where: { id } });
      return { ok: true, payment };
    });
  }

  /** Audit events written with the payments, waiting to be relayed. */
  outbox(): PrismaOutbox {
    return new PrismaOutbox(this.db);
  }
}
