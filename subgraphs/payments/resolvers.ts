import { createHash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import { forbidden, isAdmin, isSelfOrAdmin, requireAuthenticated, requireUser, unauthenticated, type Identity } from '../../lib/auth/identity';
import { badInput, conflict, notFound } from '../../lib/errors';
import type { EntityClient } from '../../lib/EntityClient';
import { toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { optionalText, requireId, requireJson, requireOneOf } from '../../lib/validate';
import type { JsonObject } from '../../lib/json';
import { PAYMENT_STATUSES, PAYMENT_TYPES, type Direction, type Payment } from './domain';
import { allowedNext, canMove } from './lifecycle';
import type { Loaders } from './loaders';
import { parseAmount, parseCurrency } from './money';
import { auditor } from '../../lib/events/audit';
import type { NewPayment, PaymentStore } from './PaymentStore';

export interface PaymentsContext extends BaseContext {
  store: PaymentStore;
  users: EntityClient;
  loaders: Loaders;
}

const MAX_METADATA_BYTES = 16_384;
const audit = auditor('payments');

interface CreatePaymentInput {
  recipientId: string;
  amount: unknown;
  currency: string;
  type?: string | null;
  description?: string | null;
  metadata?: unknown;
  idempotencyKey?: string | null;
}

function parseMetadata(value: unknown): JsonObject | null {
  if (value === undefined || value === null) return null;
  return requireJson(value, 'input.metadata', { maxBytes: MAX_METADATA_BYTES, object: true }) as JsonObject;
}

/** The sender is the signed-in user, never an input. */
function parseCreateInput(senderId: string, input: CreatePaymentInput): NewPayment {
  const recipientId = requireId(input.recipientId, 'input.recipientId');
  if (senderId === recipientId) throw badInput('input.recipientId', 'must differ from the sender');
  const fields = {
    senderId,
    recipientId,
    amount: parseAmount(input.amount, 'input.amount'),
    currency: parseCurrency(input.currency, 'input.currency'),
    type: requireOneOf(input.type ?? 'INSTANT', 'input.type', PAYMENT_TYPES),
    description: optionalText(input.description, 'input.description', { max: 500 }) ?? null,
    metadata: parseMetadata(input.metadata),
    idempotencyKey: optionalText(input.idempotencyKey, 'input.idempotencyKey', { min: 1, max: 100 }) ?? null,
  };
  // What makes two requests "the same payment" for the idempotency key: canonical JSON, so the
  // order of keys in `metadata` (which clients do not keep stable) makes no difference.
  const canonical = stableStringify({ ...fields, idempotencyKey: undefined }) ?? '';
  const requestFingerprint = createHash('sha256').update(canonical).digest('hex');
  return { ...fields, requestFingerprint };
}

function sameRequest(existing: Payment, input: NewPayment): Payment {
  if (existing.requestFingerprint !== input.requestFingerprint) {
    throw conflict('this key was already used for a different payment', 'input.idempotencyKey');
  }
  return existing;
}

/** A payment is visible to its sender, its recipient and admins; not to team API tokens. */
function canSee(payment: Payment, identity: Identity): boolean {
  return isAdmin(identity) || (identity.kind === 'user' && (identity.userId === payment.senderId || identity.userId === payment.recipientId));
}

function requireVisible(payment: Payment | null, identity: Identity): Payment | null {
  if (payment && !canSee(payment, identity)) throw forbidden('a payment is visible to its sender, its recipient and admins only');
  return payment;
}

export const resolvers: ResolverMap<PaymentsContext> = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Decimal: scalarResolvers.Decimal,
  Query: {
    payment: async (_: unknown, args: { id: string }, ctx: PaymentsContext) => {
      requireAuthenticated(ctx.identity);
      return requireVisible(await ctx.loaders.payment.load(requireId(args.id, 'id')), ctx.identity);
    },
  },
  Mutation: {
    createPayment: async (_: unknown, { input }: { input: CreatePaymentInput }, ctx: PaymentsContext) => {
      const sender = requireUser(ctx.identity);
      const payment = parseCreateInput(sender.userId, input);
      if (payment.idempotencyKey) {
        const existing = await ctx.store.findByIdempotencyKey(payment.senderId, payment.idempotencyKey);
        if (existing) return sameRequest(existing, payment);
      }
      // The sender's token proves who they are; both parties must still exist, or the payment would dangle.
      const existing = await ctx.users.existing([payment.senderId, payment.recipientId], ctx.authorization);
      if (!existing.has(payment.senderId)) throw unauthenticated('the signed-in account no longer exists');
      if (!existing.has(payment.recipientId)) throw notFound('User', payment.recipientId, 'input.recipientId');
      // A replay of an earlier request (same idempotency key) changes nothing and is not audited again.
      const outcome = await ctx.store.create(payment, audit(ctx, 'createPayment', 'Payment'));
      return outcome.created ? outcome.payment : sameRequest(outcome.payment, payment);
    },
    updatePaymentStatus: async (
      _: unknown,
      args: { id: string; status: string; reason?: string | null },
      ctx: PaymentsContext,
    ) => {
      const caller = requireUser(ctx.identity);
      const id = requireId(args.id, 'id');
      const to = requireOneOf(args.status, 'status', PAYMENT_STATUSES);
      const reason = optionalText(args.reason, 'reason', { max: 500 }) ?? null;
      const [current] = await ctx.store.findByIds([id]);
      if (!current) throw notFound('Payment', id);
      // Admins move payments along; a sender may only call off their own payment while it is PENDING.
      // changeStatus moves only from the status read here, so a payment that left PENDING meanwhile is not cancelled.
      if (!isAdmin(ctx.identity)) {
        requireVisible(current, ctx.identity);
        const ownCancel = current.senderId === caller.userId && current.status === 'PENDING' && to === 'CANCELLED';
        if (!ownCancel) throw forbidden('only admins may change a payment\'s status; its sender may cancel it while it is PENDING');
      }
      if (!canMove(current.status, to)) {
        const next = allowedNext(current.status);
        throw badInput('status', `a ${current.status} payment cannot become ${to}${next.length ? ` (allowed: ${next.join(', ')})` : ''}`);
      }
      const outcome = await ctx.store.changeStatus(id, current.status, to, reason, audit(ctx, 'updatePaymentStatus', 'Payment'));
      if (outcome.ok) return outcome.payment;
      if (outcome.reason === 'not-found') throw notFound('Payment', id);
      throw conflict(`the payment changed to ${outcome.current} meanwhile; reload it and try again`);
    },
  },
  Payment: {
    __resolveReference: async (ref: { id: string }, ctx: PaymentsContext) => {
      requireAuthenticated(ctx.identity);
      return requireVisible(await ctx.loaders.payment.load(ref.id), ctx.identity);
    },
    sender: (payment: Payment) => ({ __typename: 'User', id: payment.senderId }),
    recipient: (payment: Payment) => ({ __typename: 'User', id: payment.recipientId }),
    transactions: (payment: Payment, _: unknown, ctx: PaymentsContext) => ctx.loaders.transactionsOfPayment.load(payment.id),
  },
  User: {
    payments: (user: { id: string }, args: PageArgs & { direction?: Direction | null }, ctx: PaymentsContext) => {
      requireAuthenticated(ctx.identity);
      if (!isSelfOrAdmin(ctx.identity, user.id)) throw forbidden("a user's payments are visible to that user and admins only");
      return ctx.loaders.paymentsOfUser.load(args.direction ?? 'ALL', user.id, toPage(args));
    },
  },
};
