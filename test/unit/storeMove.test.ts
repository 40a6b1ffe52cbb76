import { createLogger } from '../../lib/logger';
import { backfill } from '../../lib/storeMove/backfill';
import { MoveCommand } from '../../lib/storeMove/MoveCommand';
import { MoveFollower } from '../../lib/storeMove/MoveFollower';
import type { MoveStateStore } from '../../lib/storeMove/MoveStateStore';
import { NO_PROGRESS } from '../../lib/progress';
import type { InstanceReport, Intent, Movable, MoveAdapter, MoveState, StoreEngine } from '../../lib/storeMove/types';

/** The engine's phase machine, backfill and follower on fakes: in-memory stores and state. */

interface Item {
  id: string;
  value: string;
  revision: number;
}

/** An in-memory store of versioned items with the move adapter's contract. */
class FakeItems implements MoveAdapter<Item> {
  readonly items = new Map<string, Item>();
  async scan(afterId: string | null, limit: number): Promise<Item[]> {
    return [...this.items.values()].filter((item) => afterId === null || item.id > afterId).sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, limit);
  }
  async get(ids: readonly string[]): Promise<Item[]> {
    return ids.flatMap((id) => (this.items.has(id) ? [{ ...this.items.get(id)! }] : []));
  }
  async putIfNewer(records: readonly Item[]): Promise<number> {
    let applied = 0;
    for (const record of records) {
      const current = this.items.get(record.id);
      if (current && current.revision >= record.revision) continue;
      this.items.set(record.id, { ...record });
      applied += 1;
    }
    return applied;
  }
  async count(): Promise<number> {
    return this.items.size;
  }
  write(id: string, value: string): void {
    this.items.set(id, { id, value, revision: (this.items.get(id)?.revision ?? -1) + 1 });
  }
}

class FakeStateStore implements MoveStateStore {
  state: MoveState | null = null;
  readonly reports = new Map<string, InstanceReport>();
  readonly journal = new Map<string, Intent>();
  async read(): Promise<MoveState | null> {
    return this.state && structuredClone(this.state);
  }
  async save(next: MoveState, expected: number | null): Promise<boolean> {
    if ((this.state?.revision ?? null) !== expected) return false;
    this.state = structuredClone(next);
    return true;
  }
  async report(report: InstanceReport): Promise<void> {
    this.reports.set(report.instanceId, report);
  }
  async instances(): Promise<InstanceReport[]> {
    return [...this.reports.values()];
  }
  async addIntent(intent: Intent): Promise<void> {
    this.journal.set(intent.id, intent);
  }
  async clearIntent(id: string): Promise<void> {
    this.journal.delete(id);
  }
  async intents(_service: string, before: Date): Promise<Intent[]> {
    return [...this.journal.values()].filter((intent) => intent.at < before);
  }
  async close(): Promise<void> {}
}

const KINDS = [{ name: 'items', unmappable: (item: { id: string }, target: StoreEngine) => (target === 'postgresql' && item.id.startsWith('bad') ? 'a bad id' : null) }];

function fakes() {
  const stores: Record<StoreEngine, FakeItems> = { mongodb: new FakeItems(), postgresql: new FakeItems() };
  const state = new FakeStateStore();
  const movable: Movable<FakeItems> = {
    service: 'things',
    home: 'mongodb',
    kinds: KINDS as Movable['kinds'],
    open: async (engine) => ({ engine, data: stores[engine], adapters: { items: stores[engine] }, close: async () => undefined }),
    openState: async () => state,
    related: async (_data, id) => [{ kind: 'items', ids: [id] }],
    variableOf: (engine) => engine.toUpperCase(),
  };
  return { stores, state, movable };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${String(i).padStart(4, '0')}`);

describe('backfill', () => {
  it('resumes after its checkpoint when killed, and never overwrites a newer record', async () => {
    const { stores } = fakes();
    for (const id of ids(25)) stores.mongodb.write(id, 'old');
    const initial: MoveState = {
      service: 'things', from: 'mongodb', to: 'postgresql', phase: 'dual', generation: 1, revision: 0,
      startedAt: '', changedAt: '', backfill: {}, skipped: [], verified: null, longestPauseMs: null,
    };
    let saved = initial;
    let saves = 0;
    const killedAfterTwo = (next: MoveState) => {
      if (++saves > 2) return Promise.reject(new Error('killed'));
      saved = next;
      return Promise.resolve(next);
    };
    await expect(backfill(initial, KINDS, { mongodb: { items: stores.mongodb }, postgresql: { items: stores.postgresql } }, { batchSize: 5, progress: NO_PROGRESS, save: killedAfterTwo })).rejects.toThrow('killed');
    expect(saved.backfill.items).toMatchObject({ after: 'id-0009', copied: 10, done: false });
    // A dual write carried a newer state of a record the backfill has not reached yet.
    stores.mongodb.write('id-0020', 'new');
    await stores.postgresql.putIfNewer(await stores.mongodb.get(['id-0020']));
    const scanned: (string | null)[] = [];
    const scan = stores.mongodb.scan.bind(stores.mongodb);
    stores.mongodb.scan = (after, limit) => {
      scanned.push(after);
      return scan(after, limit);
    };
    const done = await backfill(saved, KINDS, { mongodb: { items: stores.mongodb }, postgresql: { items: stores.postgresql } }, { batchSize: 5, progress: NO_PROGRESS, save: async (next) => next });
    expect(scanned[0]).toBe('id-0009');
    expect(done.backfill.items).toMatchObject({ copied: 25, done: true });
    expect(stores.postgresql.items.size).toBe(25);
    expect(stores.postgresql.items.get('id-0020')).toEqual({ id: 'id-0020', value: 'new', revision: 1 });
  });

  it('skips and lists records the target cannot hold', async () => {
    const { stores } = fakes();
    stores.mongodb.write('bad-1', 'x');
    stores.mongodb.write('id-1', 'y');
    const initial: MoveState = {
      service: 'things', from: 'mongodb', to: 'postgresql', phase: 'dual', generation: 1, revision: 0,
      startedAt: '', changedAt: '', backfill: {}, skipped: [], verified: null, longestPauseMs: null,
    };
    const done = await backfill(initial, KINDS, { mongodb: { items: stores.mongodb }, postgresql: { items: stores.postgresql } }, { batchSize: 10, progress: NO_PROGRESS, save: async (next) => next });
    expect(done.skipped).toEqual([{ kind: 'items', id: 'bad-1', reason: 'a bad id' }]);
    expect([...stores.postgresql.items.keys()]).toEqual(['id-1']);
  });
});

describe('the phase machine', () => {
  it('goes start → verify → switch → finish, refusing verbs out of order with codes', async () => {
    const { stores, movable } = fakes();
    for (const id of ids(7)) stores.mongodb.write(id, 'v');
    const command = await MoveCommand.open(movable, { batchSize: 3, liveForMs: 1000, barrierTimeoutMs: 1000 });
    await expect(command.run('switch')).rejects.toMatchObject({ code: 'MOVE_WRONG_PHASE' });
    await expect(command.run('start', { to: 'mongodb' })).rejects.toMatchObject({ code: 'MOVE_BAD_TARGET' });
    const dry = await command.run('start', { to: 'postgresql', dryRun: true });
    expect(dry.text).toMatch(/dry run: would enter dual mode/);
    expect(stores.postgresql.items.size).toBe(0);
    await command.run('start', { to: 'postgresql' });
    expect(stores.postgresql.items.size).toBe(7);
    await expect(command.run('switch')).rejects.toMatchObject({ code: 'MOVE_WRONG_PHASE', message: expect.stringMatching(/run verify before switch/) });
    stores.postgresql.items.get('id-0003')!.value = 'tampered';
    const verify = await command.run('verify');
    expect(verify.exitCode).toBe(1);
    expect(verify.data.mismatches).toEqual([{ kind: 'items', id: 'id-0003', reason: 'differs' }]);
    await expect(command.run('switch')).rejects.toMatchObject({ code: 'MOVE_MISMATCH' });
    stores.postgresql.items.delete('id-0003');
    await command.run('start', { to: 'postgresql', only: 'id-0003' });
    expect((await command.run('verify')).exitCode).toBe(0);
    const switched = await command.run('switch');
    expect(switched.data).toMatchObject({ phase: 'switched', instances: 0 });
    await expect(command.run('start', { to: 'postgresql' })).rejects.toMatchObject({ code: 'MOVE_WRONG_PHASE' });
    await command.run('finish');
    await expect(command.run('rollback')).rejects.toMatchObject({ code: 'MOVE_WRONG_PHASE', message: expect.stringMatching(/is finished/) });
    // The next move starts from where the last one ended.
    const plan = await command.run('plan', { to: 'mongodb' });
    expect(plan.text).toMatch(/move things from postgresql to mongodb/);
  });
});

describe('an instance following a move', () => {
  const quiet = createLogger('test', 'silent');

  it('journals and mirrors each write in dual mode, holds writes at the barrier, and acknowledges once its writes drained', async () => {
    const { stores, state, movable } = fakes();
    const sides = { mongodb: { data: stores.mongodb, adapters: { items: stores.mongodb } }, postgresql: { data: stores.postgresql, adapters: { items: stores.postgresql } } };
    const follower = new MoveFollower('things', 'mongodb', sides, state, quiet, { pollIntervalMs: 10, holdPollIntervalMs: 5, shadowReadShare: 0 });
    await follower.start();
    const command = await MoveCommand.open(movable, { liveForMs: 1000, barrierTimeoutMs: 2000 });
    try {
      await command.run('start', { to: 'postgresql' });
      let journaledBeforeWrite = false;
      await follower.write([{ kind: 'items', ids: ['a'] }], async (primary) => {
        journaledBeforeWrite = state.journal.size === 1;
        primary.write('a', 'first');
      });
      expect(journaledBeforeWrite).toBe(true);
      expect(state.journal.size).toBe(0);
      expect(stores.postgresql.items.get('a')?.value).toBe('first');
      await command.run('verify');

      // A write in flight when the barrier begins is finished (and mirrored) before the ack.
      let finishSlowWrite!: () => void;
      const slow = follower.write([{ kind: 'items', ids: ['b'] }], (primary) => new Promise<void>((resolve) => (finishSlowWrite = () => resolve(primary.write('b', 'slow')))));
      const switching = command.run('switch');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(state.state!.phase).toBe('switching');
      const held = follower.write([{ kind: 'items', ids: ['c'] }], async (primary) => primary.write('c', 'held'));
      finishSlowWrite();
      await slow;
      await switching;
      await held;
      // The held write went to the new primary, and was mirrored back to the old store.
      expect(stores.postgresql.items.get('c')?.value).toBe('held');
      expect(stores.mongodb.items.get('c')?.value).toBe('held');
      expect(stores.postgresql.items.get('b')?.value).toBe('slow');
      expect(follower.reader()).toBe(stores.postgresql);
    } finally {
      await follower.stop();
      await command.close();
    }
  });
});
