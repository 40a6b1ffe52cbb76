import type { PagesBatch, Tagged } from '../../lib/loaders';
import type { Page } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/prisma';
import { pagesByParentMany } from '../../lib/sqlPaging';
import { sqlReferences } from '../../lib/sqlReferences';
import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import type { JsonObject, JsonValue } from '../../lib/json';
import type { Reference } from '../../lib/references';
import { PrismaOutbox, writeOutbox } from '../../lib/events/PrismaOutbox';
import {
  Prisma,
  type Payment as PaymentModel,
  type PaymentTransaction as TransactionModel,
  type PrismaClient,
} from '../../prisma/payments/generated/client';
import type { Direction, Money, Payment, PaymentStatus, PaymentTransaction, PaymentType } from './domain';
import type { CreateOutcome, NewPayment, PaymentParty, PaymentStore, StatusOutcome } from './PaymentStore';

const PARENT_COLUMNS: Record<Direction, readonly string[]> = {
  SENT: ['sender_id'],
  RECEIVED: ['recipient_id'],
  ALL: ['sender_id', 'recipient_id'],
};

const PARTY_COLUMNS: Record<PaymentParty, string> = { sender: 'sender_id', recipient: 'recipient_id' };

/** A row as `$queryRaw` returns it: the table's own column names. */
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

/** NUMERIC(12,2) as the canonical string: exact, two fraction digits. */
function money(amount: Prisma.Decimal): Money {
  return amount.toFixed(2);
}

function toPayment(model: PaymentModel): Payment {
  return { ...model, amount: money(model.amount), metadata: model.metadata as JsonObject | null };
}

function toTransaction(model: TransactionModel): PaymentTransaction {
  return { ...model, metadata: model.metadata as JsonValue | null };
}

function fromRow(row: PaymentRow): Tagged<Payment> {
  return {
    parentId: row.parent_id,
    row: {
      id: row.id,
      senderId: row.sender_id,
      recipientId: row.recipient_id,
      amount: money(new Prisma.Decimal(row.amount)),
      currency: row.currency,
      status: row.status,
      type: row.type,
      description: row.description,
      metadata: row.metadata as JsonObject | null,
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

/** The payments in the service's own PostgreSQL database, through Prisma. */
export class PrismaPaymentStore implements PaymentStore {
  constructor(private readonly db: PrismaClient) {}

  async findByIds(ids: readonly string[]): Promise<Payment[]> {
    return (await this.db.payment.findMany({ where: { id: { in: [...ids] } } })).map(toPayment);
  }

  async findByIdempotencyKey(senderId: string, idempotencyKey: string): Promise<Payment | null> {
    const found = await this.db.payment.findUnique({ where: { senderId_idempotencyKey: { senderId, idempotencyKey } } });
    return found ? toPayment(found) : null;
  }

  async pagesByUser(direction: Direction, userIds: readonly string[], page: Page): Promise<Tagged<Payment>[]> {
    return (await this.pagesByUsers([{ kind: direction, parentIds: userIds, page }]))[0]!;
  }

  async pagesByUsers(batches: readonly PagesBatch<Direction>[]): Promise<Tagged<Payment>[][]> {
    const requests = batches.map(({ kind, parentIds, page }) => ({ parentColumns: PARENT_COLUMNS[kind], parentIds, page }));
    const rows = await this.db.$queryRaw<(PaymentRow & { page_request: number })[]>(pagesByParentMany('payments', requests));
    const pages = batches.map((): Tagged<Payment>[] => []);
    for (const row of rows) pages[row.page_request]!.push(fromRow(row));
    return pages;
  }

  async transactionsOf(paymentIds: readonly string[]): Promise<PaymentTransaction[]> {
    const found = await this.db.paymentTransaction.findMany({
      where: { paymentId: { in: [...paymentIds] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return found.map(toTransaction);
  }

  /** The unique (sender, key) index decides a race: the loser's whole transaction rolls back. */
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
      return { created: true, payment: toPayment(payment) };
    } catch (error) {
      if (input.idempotencyKey && isUniqueViolation(error, 'payments_sender_id_idempotency_key_key')) {
        const existing = await this.findByIdempotencyKey(input.senderId, input.idempotencyKey);
        if (existing) return { created: false, payment: existing };
      }
      throw error;
    }
  }

  /** The update matches on the current status, so the row lock it takes lets one of two changes through. */
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
      return { ok: true, payment: toPayment(payment) };
    });
  }

  outbox(): PrismaOutbox {
    return new PrismaOutbox(this.db);
  }

  countReferences(party: PaymentParty): Promise<number> {
    return sqlReferences(this.db, 'payments', PARTY_COLUMNS[party]).count();
  }

  scanReferences(party: PaymentParty, after: string | null, limit: number): Promise<Reference[]> {
    return sqlReferences(this.db, 'payments', PARTY_COLUMNS[party]).scan(after, limit);
  }
}
