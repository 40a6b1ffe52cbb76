import { PAYMENT_STATUSES, type PaymentStatus } from '../../subgraphs/payments/domain';
import { allowedNext, canMove } from '../../subgraphs/payments/lifecycle';

/** The design: pending → processing → completed | failed | cancelled; pending may also be cancelled. */
const ALLOWED: [PaymentStatus, PaymentStatus][] = [
  ['PENDING', 'PROCESSING'],
  ['PENDING', 'CANCELLED'],
  ['PROCESSING', 'COMPLETED'],
  ['PROCESSING', 'FAILED'],
  ['PROCESSING', 'CANCELLED'],
];

const isAllowed = (from: PaymentStatus, to: PaymentStatus) => ALLOWED.some(([f, t]) => f === from && t === to);

const ALL_PAIRS = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.map((to) => [from, to] as [PaymentStatus, PaymentStatus]));

describe('payment lifecycle', () => {
  it('knows every status of the database enum', () => {
    expect([...PAYMENT_STATUSES].sort()).toEqual(['CANCELLED', 'COMPLETED', 'FAILED', 'PENDING', 'PROCESSING']);
  });

  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(true);
    expect(allowedNext(from)).toContain(to);
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isAllowed(from, to)))('forbids %s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(false);
    expect(allowedNext(from)).not.toContain(to);
  });

  it.each(['COMPLETED', 'FAILED', 'CANCELLED'] as PaymentStatus[])('%s is final', (status) => {
    expect(allowedNext(status)).toEqual([]);
  });

  it('never allows staying in the same status or going back to PENDING', () => {
    for (const status of PAYMENT_STATUSES) {
      expect(canMove(status, status)).toBe(false);
      expect(canMove(status, 'PENDING')).toBe(false);
    }
  });
});
