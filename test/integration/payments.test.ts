import { createHash } from 'node:crypto';
import { newId } from '../../lib/validate';
import type { PrismaClient } from '../../prisma/payments/generated/client';
import type { NewPayment, PaymentStore } from '../../subgraphs/payments/PaymentStore';
import { testAudit } from '../support/audit';
import { openPrismaPaymentStore, type OpenedPrismaStore } from '../support/prismaStores';

/**
 * What the PostgreSQL payments store holds beyond its contract (paymentStore.contract.test.ts):
 * the database itself keeps amounts exact and positive, whoever writes to it.
 */
const audit = testAudit('payments', 'createPayment', 'Payment');
let opened: OpenedPrismaStore<PaymentStore, PrismaClient>;
let db: PrismaClient;
let store: PaymentStore;

beforeAll(async () => {
  opened = await openPrismaPaymentStore();
  ({ db, store } = opened);
});

afterAll(async () => {
  await opened?.close();
});

function newPayment(overrides: Partial<NewPayment> = {}): NewPayment {
  const fields = { senderId: newId(), recipientId: newId(), amount: '12.50', currency: 'EUR', type: 'INSTANT' as const, description: null, metadata: null, idempotencyKey: null, ...overrides };
  return { requestFingerprint: createHash('sha256').update(JSON.stringify(fields)).digest('hex'), ...fields };
}

describe('PrismaPaymentStore', () => {
  it('stores amounts as NUMERIC: 0.10 + 0.20 is 0.30 in the database, not 0.30000000000000004', async () => {
    const sender = newId();
    await Promise.all(['0.10', '0.20'].map((amount) => store.create(newPayment({ senderId: sender, amount }), audit)));
    const [sum] = await db.$queryRaw<{ total: string }[]>`SELECT sum(amount)::text AS total FROM payments WHERE sender_id = ${sender}::uuid`;
    expect(sum!.total).toBe('0.30');
  });

  it.each(['0', '0.00', '-1.00'])('the database refuses amount %s even when the service checks are bypassed', async (amount) => {
    const id = newId();
    await expect(
      db.$executeRaw`
        INSERT INTO payments (id, sender_id, recipient_id, amount, currency)
        VALUES (${id}::uuid, ${newId()}::uuid, ${newId()}::uuid, ${amount}::numeric, 'EUR')`,
    ).rejects.toThrow(/payments_amount_positive/);
    // And through the store too, skipping parseAmount.
    await expect(store.create(newPayment({ amount }), audit)).rejects.toThrow(/payments_amount_positive|check constraint/i);
    expect(await db.payment.count({ where: { id } })).toBe(0);
  });
});
