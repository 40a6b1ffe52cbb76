import { createHash } from 'node:crypto';
import type { Page } from '../../lib/pagination';
import { newId } from '../../lib/validate';
import type { Payment } from '../../subgraphs/payments/domain';
import type { NewPayment, PaymentStore } from '../../subgraphs/payments/PaymentStore';
import { auditedResources, testAudit } from '../support/audit';
import { openPrismaPaymentStore } from '../support/prismaStores';
import { describeStoreContract } from '../support/storeContract';

/** The payments store's contract, the same tests for every implementation (today: PostgreSQL through Prisma). */
const audit = testAudit('payments', 'createPayment', 'Payment');

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

const firstPage = (limit: number): Page => ({ limit, after: null });

describeStoreContract<PaymentStore>('PaymentStore', { prisma: openPrismaPaymentStore }, (store) => {
  const transactionStatuses = async (id: string) => (await store().transactionsOf([id])).map((transaction) => transaction.status);

  describe('create', () => {
    it('creates the payment PENDING with its first transaction, as given, and its audit event with it', async () => {
      const input = newPayment({ metadata: { order: 'A-1', lines: [1, 2] }, description: 'rent', type: 'SCHEDULED', currency: 'USD' });
      const outcome = await store().create(input, audit);

      expect(outcome.created).toBe(true);
      expect(outcome.payment).toMatchObject({
        senderId: input.senderId,
        recipientId: input.recipientId,
        amount: '12.50',
        currency: 'USD',
        status: 'PENDING',
        type: 'SCHEDULED',
        description: 'rent',
        metadata: { order: 'A-1', lines: [1, 2] },
        failureReason: null,
        completedAt: null,
        requestFingerprint: input.requestFingerprint,
      });
      expect(outcome.payment.createdAt).toBeInstanceOf(Date);
      expect(await store().findByIds([outcome.payment.id])).toEqual([outcome.payment]);
      expect(await transactionStatuses(outcome.payment.id)).toEqual(['PENDING']);
      expect((await auditedResources(store().outbox())).has(outcome.payment.id)).toBe(true);
    });

    it('keeps amounts exact to the cent, as the canonical string, on every read', async () => {
      const sender = newId();
      const amounts = ['0.10', '0.20', '9999999999.99', '0.01', '1234567.89', '100.00'];
      const created = await Promise.all(amounts.map((amount) => store().create(newPayment({ senderId: sender, amount }), audit)));
      expect(created.map((outcome) => outcome.payment.amount)).toEqual(amounts);

      const byId = await store().findByIds(created.map((outcome) => outcome.payment.id));
      expect(byId.map((payment) => payment.amount).sort()).toEqual([...amounts].sort());
      const paged = await store().pagesByUser('SENT', [sender], firstPage(10));
      expect(paged.map((tagged) => tagged.row.amount).sort()).toEqual([...amounts].sort());
    });

    it('refuses a zero or negative amount even when the service checks are bypassed', async () => {
      for (const amount of ['0.00', '-1.00']) {
        const input = newPayment({ amount });
        await expect(store().create(input, audit)).rejects.toThrow();
        expect(await store().pagesByUser('SENT', [input.senderId], firstPage(1))).toEqual([]);
      }
    });
  });

  describe('idempotency', () => {
    it('concurrent creates under one key and sender make one payment, returned to all of them', async () => {
      const input = newPayment({ idempotencyKey: `key-${newId()}` });
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => store().create(input, audit)));

      expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
      const [first] = outcomes;
      for (const outcome of outcomes) expect(outcome.payment).toEqual(first!.payment);
      expect(await store().pagesByUser('SENT', [input.senderId], firstPage(10))).toHaveLength(1);
      expect(await store().findByIdempotencyKey(input.senderId, input.idempotencyKey!)).toEqual(first!.payment);
      // Only the winner's transaction: the losers wrote nothing.
      expect(await transactionStatuses(first!.payment.id)).toEqual(['PENDING']);
    });

    it('a later create under the same key returns the first payment, whatever it asks for', async () => {
      const idempotencyKey = `key-${newId()}`;
      const first = await store().create(newPayment({ idempotencyKey }), audit);
      const again = await store().create(newPayment({ idempotencyKey, senderId: first.payment.senderId, amount: '99.00' }), audit);
      expect(again).toEqual({ created: false, payment: first.payment });
    });

    it('the same key from another sender is another payment', async () => {
      const idempotencyKey = `key-${newId()}`;
      const [a, b] = await Promise.all([store().create(newPayment({ idempotencyKey }), audit), store().create(newPayment({ idempotencyKey }), audit)]);
      expect(a.created && b.created).toBe(true);
      expect(a.payment.id).not.toBe(b.payment.id);
    });

    it('without a key, two identical creates are two payments', async () => {
      const input = newPayment();
      const [a, b] = await Promise.all([store().create(input, audit), store().create(input, audit)]);
      expect(a.created && b.created).toBe(true);
      expect(await store().pagesByUser('SENT', [input.senderId], firstPage(10))).toHaveLength(2);
    });

    it('finds nothing under a key nobody used', async () => {
      await expect(store().findByIdempotencyKey(newId(), 'never-used')).resolves.toBeNull();
    });
  });

  describe('status transitions', () => {
    it('moves a payment and records one transaction per change, in order', async () => {
      const { payment } = await store().create(newPayment(), audit);
      const processing = await store().changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit);
      expect(processing).toMatchObject({ ok: true, payment: { status: 'PROCESSING' } });
      const failed = await store().changeStatus(payment.id, 'PROCESSING', 'FAILED', 'card declined', audit);
      expect(failed).toMatchObject({ ok: true, payment: { status: 'FAILED', failureReason: 'card declined', completedAt: null } });
      const transactions = await store().transactionsOf([payment.id]);
      expect(transactions.map((transaction) => [transaction.status, transaction.statusMessage])).toEqual([
        ['PENDING', null],
        ['PROCESSING', null],
        ['FAILED', 'card declined'],
      ]);
    });

    it('sets completedAt on COMPLETED, and keeps no failure reason', async () => {
      const { payment } = await store().create(newPayment(), audit);
      await store().changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit);
      const outcome = await store().changeStatus(payment.id, 'PROCESSING', 'COMPLETED', 'settled', audit);
      expect(outcome.ok && outcome.payment.completedAt).toBeInstanceOf(Date);
      expect(outcome.ok && outcome.payment.failureReason).toBeNull();
    });

    it('with a stale `from`, changes nothing and records no transaction', async () => {
      const { payment } = await store().create(newPayment(), audit);
      const outcome = await store().changeStatus(payment.id, 'PROCESSING', 'COMPLETED', null, audit);
      expect(outcome).toEqual({ ok: false, reason: 'not-allowed', current: 'PENDING' });
      expect(await store().findByIds([payment.id])).toEqual([payment]);
      expect(await transactionStatuses(payment.id)).toEqual(['PENDING']);
    });

    it('reports a missing payment as not-found', async () => {
      await expect(store().changeStatus(newId(), 'PENDING', 'PROCESSING', null, audit)).resolves.toEqual({ ok: false, reason: 'not-found' });
    });

    it('of concurrent changes from the same status, exactly one wins; the others see what it became', async () => {
      const { payment } = await store().create(newPayment(), audit);
      const outcomes = await Promise.all([
        store().changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit),
        store().changeStatus(payment.id, 'PENDING', 'CANCELLED', 'changed my mind', audit),
        store().changeStatus(payment.id, 'PENDING', 'PROCESSING', null, audit),
      ]);
      const winners = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.payment] : []));
      expect(winners).toHaveLength(1);
      const won = winners[0]!.status;
      expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([
        { ok: false, reason: 'not-allowed', current: won },
        { ok: false, reason: 'not-allowed', current: won },
      ]);
      expect(await transactionStatuses(payment.id)).toEqual(['PENDING', won]);
    });
  });

  describe('pages by user', () => {
    it('lists sent, received or all payments newest first, a page per user, with one row beyond the page', async () => {
      const [ann, bob, cid] = [newId(), newId(), newId()];
      const made: Payment[] = [];
      for (const [senderId, recipientId] of [[ann, bob], [bob, ann], [ann, cid], [cid, bob]] as const) {
        made.push((await store().create(newPayment({ senderId, recipientId }), audit)).payment);
      }
      const ids = (rows: { parentId: string; row: Payment }[], parent: string) => rows.filter((tagged) => tagged.parentId === parent).map((tagged) => tagged.row.id);
      const newestFirst = (...payments: Payment[]) =>
        [...payments].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((payment) => payment.id);

      const sent = await store().pagesByUser('SENT', [ann, bob], firstPage(10));
      expect(ids(sent, ann)).toEqual(newestFirst(made[0]!, made[2]!));
      expect(ids(sent, bob)).toEqual(newestFirst(made[1]!));
      const received = await store().pagesByUser('RECEIVED', [bob], firstPage(10));
      expect(ids(received, bob)).toEqual(newestFirst(made[0]!, made[3]!));
      const all = await store().pagesByUser('ALL', [ann], firstPage(1));
      const annAll = newestFirst(made[0]!, made[1]!, made[2]!);
      expect(ids(all, ann)).toEqual(annAll.slice(0, 2));
      const newest = made.find((payment) => payment.id === annAll[0])!;
      const next = await store().pagesByUser('ALL', [ann], { limit: 10, after: { createdAt: newest.createdAt, id: newest.id } });
      expect(ids(next, ann)).toEqual(annAll.slice(1));
    });

    it('answers several directions and pages in one call as it answers each alone, in the order asked', async () => {
      const [ann, bob, cid] = [newId(), newId(), newId()];
      for (const [senderId, recipientId] of [[ann, bob], [bob, ann], [ann, cid], [cid, ann], [bob, cid]] as const) {
        await store().create(newPayment({ senderId, recipientId }), audit);
      }
      const batches = [
        { kind: 'SENT' as const, parentIds: [ann, bob], page: firstPage(10) },
        { kind: 'RECEIVED' as const, parentIds: [ann], page: firstPage(1) },
        { kind: 'ALL' as const, parentIds: [cid, ann], page: firstPage(10) },
        { kind: 'SENT' as const, parentIds: [newId()], page: firstPage(10) },
      ];
      const together = await store().pagesByUsers(batches);
      const alone = await Promise.all(batches.map(({ kind, parentIds, page }) => store().pagesByUser(kind, parentIds, page)));
      expect(together).toEqual(alone);
      expect(together.map((rows) => rows.length)).toEqual([4, 2, 7, 0]);
    });
  });

  describe('references', () => {
    it('lists every payment with its sender or recipient, in id order, in keyset pages', async () => {
      const [sendersBefore, recipientsBefore] = [await store().countReferences('sender'), await store().countReferences('recipient')];
      const made = await Promise.all(Array.from({ length: 3 }, () => store().create(newPayment(), audit)));
      expect(await store().countReferences('sender')).toBe(sendersBefore + 3);
      expect(await store().countReferences('recipient')).toBe(recipientsBefore + 3);

      for (const party of ['sender', 'recipient'] as const) {
        const seen: { source: string; target: string }[] = [];
        for (let after: string | null = null; ; ) {
          const page = await store().scanReferences(party, after, 2);
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(2);
          seen.push(...page);
          after = page.at(-1)!.source;
        }
        expect(seen).toHaveLength(sendersBefore + 3);
        expect(seen.map((reference) => reference.source)).toEqual(seen.map((reference) => reference.source).sort());
        for (const { payment } of made) {
          expect(seen).toContainEqual({ source: payment.id, target: party === 'sender' ? payment.senderId : payment.recipientId });
        }
      }
    });
  });
});
