import { randomUUID } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { createPrismaClient } from '../../lib/prisma';
import { MongoMoveStateStore } from '../../lib/storeMove/MongoMoveStateStore';
import type { MoveStateStore } from '../../lib/storeMove/MoveStateStore';
import { PrismaMoveStateStore } from '../../lib/storeMove/PrismaMoveStateStore';
import type { MoveState } from '../../lib/storeMove/types';
import { PrismaClient } from '../../prisma/teams/generated/client';
import { onFreshMongo, onFreshPostgres } from '../support/freshStores';
import type { OpenedStore } from '../support/storeContract';

/** The move's shared state on a MongoDB home store and on a PostgreSQL one (the teams' migrated database): the same tests. */
const openMongo = () =>
  onFreshMongo('move_state', async (url, database) => {
    const store = new MongoMoveStateStore(await connectMongo(url, database), true);
    await store.init();
    return store;
  });
const openPostgres = () =>
  onFreshPostgres('teams', 'move_state', (url) => {
    const db = createPrismaClient(PrismaClient, url);
    return new PrismaMoveStateStore(db, () => db.$disconnect());
  });

const STORES: [string, () => Promise<OpenedStore<MoveStateStore>>][] = [
  ['mongodb', openMongo],
  ['postgresql', openPostgres],
];

const state = (revision: number, phase: MoveState['phase']): MoveState => ({
  service: 'teams', from: 'mongodb', to: 'postgresql', phase, generation: revision + 1, revision,
  startedAt: '2026-12-01T00:00:00.000Z', changedAt: '2026-12-01T00:00:00.000Z',
  backfill: { teams: { after: 'abc', copied: 3, skipped: 0, total: 9, done: false } }, skipped: [], verified: null, longestPauseMs: null,
});

describe.each(STORES)('the move state on %s', (_engine, open) => {
  let opened: OpenedStore<MoveStateStore>;
  let store: MoveStateStore;

  beforeAll(async () => {
    opened = await open();
    store = opened.store;
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('saves the state by compare-and-set on its revision', async () => {
    expect(await store.read('teams')).toBeNull();
    expect(await store.save(state(0, 'dual'), null)).toBe(true);
    expect(await store.save(state(0, 'dual'), null)).toBe(false);
    expect(await store.save(state(1, 'switching'), 0)).toBe(true);
    expect(await store.save(state(1, 'switched'), 0)).toBe(false);
    expect(await store.read('teams')).toEqual(state(1, 'switching'));
  });

  it('lists the instances that reported lately', async () => {
    const report = (instanceId: string, seenAt: Date) => ({
      instanceId, service: 'teams', seenAt, generation: 2,
      shadow: { reads: 1, mismatches: 0, recent: [] }, mirror: { writes: 3, failures: 0, lastLagMs: 4, maxLagMs: 9 }, longestHoldMs: 0,
    });
    await store.report(report('live', new Date()));
    await store.report(report('gone', new Date(Date.now() - 60_000)));
    await store.report({ ...report('live', new Date()), generation: 3 });
    const instances = await store.instances('teams', 3000);
    expect(instances.map((i) => [i.instanceId, i.generation])).toEqual([['live', 3]]);
    expect(instances[0]!.seenAt).toBeInstanceOf(Date);
  });

  it('keeps intents until cleared, oldest first', async () => {
    const intent = (at: Date) => ({ id: randomUUID(), service: 'teams', source: 'mongodb' as const, target: 'postgresql' as const, touches: [{ kind: 'teams', ids: [randomUUID()] }], at });
    const older = intent(new Date(Date.now() - 10_000));
    const newer = intent(new Date(Date.now() - 1_000));
    await store.addIntent(newer);
    await store.addIntent(older);
    expect((await store.intents('teams', new Date(), 10)).map((i) => i.id)).toEqual([older.id, newer.id]);
    expect((await store.intents('teams', new Date(Date.now() - 5_000), 10)).map((i) => i.id)).toEqual([older.id]);
    await store.clearIntent(older.id);
    expect(await store.intents('teams', new Date(), 10)).toEqual([newer]);
  });
});
