import type { PaymentStatus } from './domain';

/** pending → processing → completed | failed | cancelled; a pending payment may also be cancelled. */
const NEXT: Record<PaymentStatus, readonly PaymentStatus[]> = {
  PENDING: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return NEXT[from].includes(to);
}

export function allowedNext(from: PaymentStatus): readonly PaymentStatus[] {
  return NEXT[from];
}
