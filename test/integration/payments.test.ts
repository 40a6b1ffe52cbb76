import { createHash } from 'node:crypto';
import { createPrismaClient } from '../../lib/prisma';
import { newId } from '../../lib/validate';
import { Prisma, PrismaClient } from '../../prisma/payments/generated/client';
import { PaymentStore, type NewPayment } from '../../subgraphs/payments/store';
import type { ServiceDatabases } from '../../scripts/seed';
import { testAudit } from '../support/audit';
import { createDatabases, dropDatabases } from '../support/stack';

const audit = testAudit('payments', 'createPayment', 'Payment');
let databases: ServiceDatabases;
let db: PrismaClient;
let store: PaymentStore;

beforeAll(async () => {
  databases = await createDatabases();
  db = createPrismaClient(PrismaClient, databases.paymentsUrl);
  store = new PaymentStore(db);
});

afterAll(async () => {
  await db?.$disconnect();
  if (databases) await dropDatabases(databases);
});

function newPayment(overrides: Partial<NewPayment> = {}): NewPayment {
  const fields = {
    senderId: newId(),
    recipientId: newId(),
    amount: '12.50',
    currency: 'EUR',
    type: 'INSTANT' as const,
    description: null,
    metadata: null,
    idempotencyKey: null,
    ...overrides,
  };
  return { requestFingerprint: createHash('sha256').update(JSON.stringify(fields)).digest('hex'), ...fields };
}

describe('PaymentStore.create', () => {
  it('two concurrent creates with one idempotency key and sender make one payment, returned to both', async () => {
    const input = newPayment({ idempotencyKey: `key-${newId()}` });
    const [first, second] = await Promise.all([store.create(input, audit), store.create(input, audit)]);

    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(second.payment.id).toBe(first.payment.id);
    expect(second.payment).toEqual(first.payment);
    expect(await db.payment.count({ where: { senderId: input.senderId } })).toBe(1);
    // Only the winner's transaction row: the loser's whole transaction was rolled back.
    expect(await db.paymentTransaction.count({ where: { paymentId: first.payment.id } })).toBe(1);
  });

  it('the same key from another sender is another payment', async () => {
    const idempotencyKey = `key-${newId()}`;
    const [a, b] = await Promise.all([store.create(newPayment({ idempotencyKey }), audit), store.create(newPayment({ idempotencyKey }), audit)]);
    expect(a.created && b.created).toBe(true);
    expect(a.payment.id).not.toBe(b.payment.id);
  });

  it('without a key, two identical creates are two payments', async () => {
    const input = newPayment();
    const [a, b] = await Promise.all([store.create(input, audit), store.create(input, audit)]);
    expect(a.created && b.created).toBe(true);
    expect(await db.payment.count({ where: { senderId: input.senderId } })).toBe(2);
  });

  it('creates the payment PENDING with its first transaction row', async () => {
    const { payment } = await store.create(newPayment({ metadata: { order: 'A-1' }, description: 'rent' }), audit);
    expect(payment).toMatchObject({ status: 'PENDING', description: 'rent', metadata: { order: 'A-1' } });
    const transactions = await store.transactionsOf([payment.id]);
    expect(transactions.map((transaction) => transaction.status)).toEqual(['PENDING']);
  });

  it('stores amounts exactly as given, to the cent', async () => {
    const sender = newId();
    const amounts = ['0.10', '0.20', '9999999999.99', '0.01', '1234567.89'];
    const created = await Promise.all(amounts.map((amount) => store.create(newPayment({ senderId: sender, amount }), audit)));
    for (const [i, outcome] of created.entries()) expect(outcome.payment.amount.toFixed(2)).toBe(amounts[i]);

    const readBack = await store.findByIds(created.map((outcome) => outcome.payment.id));
    expect(new Set(readBack.map((payment) => payment.amount.toFixed(2)))).toEqual(new Set(amounts));

    // 0.10 + 0.20 is 0.30 in the database, not 0.30000000000000004.
    const [sum] = await db.$queryRaw<{ total: string }[]>`
      SELECT sum(amount)::text AS total FROM payments WHERE sender_id = ${sender}::uuid AND amount IN (0.10, 0.20)`;
    expect(sum!.total).toBe('0.30');
  });

  it.each(['0', '0.00', '-1.00'])('the database refuses amount %s even when the service checks are bypassed', async (amount) => {
    const id = newId();
    await expect(
      db.$executeRaw`
        INSERT INTO payments (id, sender_id, recipient_id, amount, currency)
        VALUES (${id}::uuid, ${newId()}::uuid, ${newId()}::uuid, ${amount}::numeric, 'EUR')`,
    ).rejects.toThrow(/payments_amount_positive/);
    // And through the client too, skipping parseAmount.
    await expect(store.create(newPayment({ amount }), audit)).rejects.toThrow(/payments_amount_positive|check constraint/i);
    expect(await db.payment.count({ where: { id } })).toBe(0);
  });

  it('keeps the amount exact through Prisma.Decimal', async () => {
    const { payment } = await store.create(newPayment({ amount: '0.30' }), audit);
    expect(payment.amount).toBeInstanceOf(Prisma.Decimal);
    expect(payment.amount.equals(new Prisma.Decimal('0.10').plus('0.20'))).toBe(true);
  });
});

describe('PaymentStore.changeStatus', () => {
  it('moves a payment and records one transaction row per change', async () => {
    const { payment } = await store.create(newPayment(), audit);
    const processing = await store.changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit);
    expect(processing).toMatchObject({ ok: true, payment: { status: 'PROCESSING' } });
    const failed = await store.changeStatus(payment.id, 'PROCESSING', 'FAILED', 'card declined', audit);
    expect(failed).toMatchObject({ ok: true, payment: { status: 'FAILED', failureReason: 'card declined', completedAt: null } });
    const transactions = await store.transactionsOf([payment.id]);
    expect(transactions.map((transaction) => [transaction.status, transaction.statusMessage])).toEqual([
      ['PENDING', null],
      ['PROCESSING', null],
      ['FAILED', 'card declined'],
    ]);
  });

  it('sets completedAt on COMPLETED', async () => {
    const { payment } = await store.create(newPayment(), audit);
    await store.changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit);
    const outcome = await store.changeStatus(payment.id, 'PROCESSING', 'COMPLETED', null, audit);
    expect(outcome.ok && outcome.payment.completedAt).toBeInstanceOf(Date);
  });

  it('with a stale `from`, changes nothing and writes no transaction row', async () => {
    const { payment } = await store.create(newPayment(), audit);
    const before = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });

    const outcome = await store.changeStatus(payment.id, 'PROCESSING', 'COMPLETED', null, audit);

    expect(outcome).toEqual({ ok: false, reason: 'not-allowed', current: 'PENDING' });
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toEqual(before);
    expect(await db.paymentTransaction.count({ where: { paymentId: payment.id } })).toBe(1);
  });

  it('reports a missing payment as not-found', async () => {
    await expect(store.changeStatus(newId(), 'PENDING', 'PROCESSING', null, audit)).resolves.toEqual({ ok: false, reason: 'not-found' });
  });

  it('of two concurrent changes from the same status, exactly one wins', async () => {
    const { payment } = await store.create(newPayment(), audit);
    const outcomes = await Promise.all([
      store.changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit),
      store.changeStatus(payment.id, 'PENDING', 'CANCELLED', 'changed my mind', audit),
    ]);
    const winners = outcomes.filter((outcome) => outcome.ok);
    const losers = outcomes.filter((outcome) => !outcome.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([{ ok: false, reason: 'not-allowed', current: winners[0]!.ok ? winners[0]!.payment.status : undefined }]);
    expect(await db.paymentTransaction.count({ where: { paymentId: payment.id } })).toBe(2);
  });
});
