import type { JsonObject, JsonValue } from '../../lib/json';

/**
 * The payments service's own types: what its resolvers, loaders and store contract speak, whatever
 * database holds the payments (PaymentStore.ts; the PostgreSQL one is PrismaPaymentStore.ts).
 */

/** An amount in the canonical form the API carries and NUMERIC(12,2) holds: "12.50", never a float (see money.ts). */
export type Money = string;

// The same values as the PostgreSQL enums: PrismaPaymentStore passes them both ways, so the type check refuses a difference.
export const PAYMENT_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_TYPES = ['INSTANT', 'SCHEDULED', 'RECURRING'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** Which of a user's payments a list holds. */
export type Direction = 'SENT' | 'RECEIVED' | 'ALL';

/** Money sent from one user to another; both live in the users service. */
export interface Payment {
  id: string;
  senderId: string;
  recipientId: string;
  amount: Money;
  /** ISO-4217, three capital letters. */
  currency: string;
  status: PaymentStatus;
  type: PaymentType;
  description: string | null;
  metadata: JsonObject | null;
  /** Why it FAILED, when it did. */
  failureReason: string | null;
  /** The payment service provider's id for it and its own status word (kept from the legacy system). */
  pspTransactionId: string | null;
  pspStatus: string | null;
  /** Client-supplied; a retried create with the same key (per sender) returns the first payment. */
  idempotencyKey: string | null;
  /** Hash of the create request, to refuse a key reused for a different payment. */
  requestFingerprint: string | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One status change of a payment; a payment's transactions in order are its history. */
export interface PaymentTransaction {
  id: string;
  paymentId: string;
  status: PaymentStatus;
  statusMessage: string | null;
  pspTransactionId: string | null;
  metadata: JsonValue | null;
  createdAt: Date;
}
