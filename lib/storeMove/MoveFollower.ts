import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import { checksum } from './checksum';
import { adapterOf, copyTouched } from './copyTouched';
import type { MoveStateStore } from './MoveStateStore';
import { stillDiffering } from './stillDiffering';
import { routeOf, type Route } from './routeOf';
import { MAX_LISTED, type InstanceReport, type Intent, type MoveAdapters, type MoveRecord, type MoveState, type StoreEngine, type Touch } from './types';

export interface MoveFollowerOptions {
  /** How often an instance reads the move's state and reports itself (ms; default 250). */
  pollIntervalMs?: number;
  /** How often it reads the state while it holds writes at a barrier (ms; default 25): the pause lasts about one such poll past the command's. */
  holdPollIntervalMs?: number;
  /** The share of reads also answered by the other store and compared, from 0 to 1 (default 0.1). */
  shadowReadShare?: number;
  /** An intent this much older was left by an instance that died mid-write (or a mirror that failed): any instance replays it (ms; default 5000). */
  replayAfterMs?: number;
}

/** How often an instance with no move under way reports itself (below the command's 3 s liveness bound). */
const IDLE_REPORT_MS = 1000;

export const DEFAULT_FOLLOWER_OPTIONS: Required<MoveFollowerOptions> = { pollIntervalMs: 250, holdPollIntervalMs: 25, shadowReadShare: 0.1, replayAfterMs: 5000 };

/** One engine's side of the service as an instance follows a move: its stores and their move adapters. */
export interface FollowedSide<D> {
  data: D;
  adapters: MoveAdapters;
}

/**
 * One instance's part in a move (the service's moving stores ask it where to read and write): it
 * polls the move's shared state, routes reads and writes by phase (routeOf), journals and mirrors
 * every write while a second store is written, holds new writes at a barrier, answers a share of
 * reads from the other store too and compares, replays intents left behind, and reports itself
 * (the generation it follows once older writes drained, its shadow reads, its mirror lag).
 */
export class MoveFollower<D> {
  readonly instanceId = randomUUID();
  private state: MoveState | null = null;
  private route: Route;
  private generation = -1;
  private readonly inflight = new Map<number, number>();
  private readonly drained: { generation: number; resolve: () => void }[] = [];
  private released: (() => void)[] = [];
  private holdingSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly options: Required<MoveFollowerOptions>;
  private readonly stats: Pick<InstanceReport, 'shadow' | 'mirror' | 'longestHoldMs'> = {
    shadow: { reads: 0, mismatches: 0, recent: [] },
    mirror: { writes: 0, failures: 0, lastLagMs: 0, maxLagMs: 0 },
    longestHoldMs: 0,
  };

  constructor(
    private readonly service: string,
    private readonly home: StoreEngine,
    private readonly sides: Readonly<Record<StoreEngine, FollowedSide<D>>>,
    private readonly store: MoveStateStore,
    private readonly logger: Logger,
    options: MoveFollowerOptions = {},
  ) {
    this.options = { ...DEFAULT_FOLLOWER_OPTIONS, ...options };
    this.route = routeOf(null, home);
  }

  /**
   * Reports itself before reading the state, so that a command waiting at a barrier counts this
   * instance before it can serve a single write on a route older than the barrier's.
   */
  async start(): Promise<void> {
    await this.report();
    await this.poll();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    for (const release of this.released) release();
  }

  /** The stores reads go to now. */
  reader(): D {
    return this.sides[this.route.primary].data;
  }

  /** The phase this instance follows (null: no move). */
  phase(): MoveState['phase'] | null {
    return this.state?.phase ?? null;
  }

  /**
   * Runs one write on the primary store. While a second store is written, the touched records
   * are journaled first (an intent in the shared state), then written, then their resulting state
   * is copied to the secondary and the intent cleared. Killed in between, the intent stays and is
   * replayed. At a barrier the write waits until the phase moves on.
   */
  async write<T>(touches: readonly Touch[] | ((primary: D) => Promise<Touch[]>), run: (primary: D) => Promise<T>): Promise<T> {
    await this.whileHolding();
    const generation = this.generation;
    const route = this.route;
    this.inflight.set(generation, (this.inflight.get(generation) ?? 0) + 1);
    try {
      const primary = this.sides[route.primary];
      if (!route.secondary) return await run(primary.data);
      const touched = typeof touches === 'function' ? await touches(primary.data) : [...touches];
      return await this.journaled({ source: route.primary, target: route.secondary }, touched, () => run(primary.data));
    } finally {
      this.leave(generation);
    }
  }

  /**
   * A write journaled and mirrored like `write`, but not held at a barrier: for a write whose
   * own effect is made of held writes (an event consumer's "processed" mark around them), which
   * would otherwise wait for a barrier that waits for it. Its intent is replayed if the barrier
   * passed before it was mirrored.
   */
  async unheld<T>(touches: readonly Touch[], run: (primary: D) => Promise<T>): Promise<T> {
    const route = this.route;
    const primary = this.sides[route.primary];
    if (!route.secondary) return run(primary.data);
    return this.journaled({ source: route.primary, target: route.secondary }, [...touches], () => run(primary.data));
  }

  /**
   * For a write a store makes on its own inside a read (a token's last use, at most once a
   * minute): copies the record to the secondary when it changed since this instance last copied
   * it, without a journal (what a crash loses here, the record's next write or verify carries).
   */
  async copyIfChanged(kind: string, id: string): Promise<void> {
    const { primary, secondary } = this.route;
    if (!secondary) return;
    try {
      await this.copyRecordIfChanged(kind, id, primary, secondary);
    } catch (error) {
      this.logger.warn(`store move: copying ${kind} ${id} failed; its next write or verify carries it`, error);
    }
  }

  private async copyRecordIfChanged(kind: string, id: string, primary: StoreEngine, secondary: StoreEngine): Promise<void> {
    const [record] = await adapterOf(this.sides[primary].adapters, kind).get([id]);
    if (!record) return;
    const key = `${kind}:${id}`;
    const sum = checksum(record);
    if (this.copied.get(key) === sum) return;
    await adapterOf(this.sides[secondary].adapters, kind).putIfNewer([record]);
    if (this.copied.size >= 10_000) this.copied.clear();
    this.copied.set(key, sum);
  }

  private readonly copied = new Map<string, string>();

  private async journaled<T>(direction: { source: StoreEngine; target: StoreEngine }, touches: Touch[], run: () => Promise<T>): Promise<T> {
    const intent: Intent = { id: randomUUID(), service: this.service, ...direction, touches, at: new Date() };
    await this.store.addIntent(intent);
    try {
      return await run();
    } finally {
      // Mirrored whether the write succeeded or not: a write that failed half-way (or timed out
      // after committing) still leaves the secondary with the primary's state.
      await this.mirror(intent);
    }
  }

  private async mirror(intent: Intent): Promise<void> {
    const started = Date.now();
    try {
      await copyTouched(this.sides[intent.source].adapters, this.sides[intent.target].adapters, intent.touches);
      await this.store.clearIntent(intent.id);
      const lag = Date.now() - started;
      this.stats.mirror.writes += 1;
      this.stats.mirror.lastLagMs = lag;
      this.stats.mirror.maxLagMs = Math.max(this.stats.mirror.maxLagMs, lag);
    } catch (error) {
      // The write itself stands: its intent stays in the journal and is replayed.
      this.stats.mirror.failures += 1;
      this.logger.warn(`store move: mirroring a write failed; its intent ${intent.id} is replayed later`, error);
    }
  }

  /**
   * For a share of reads (while a second store is written): answers the same read from the
   * secondary too, in the background, and compares. A difference is checked again on the records
   * themselves (stillDiffering: a write may still have been mirroring); what still differs is
   * counted and listed with its ids.
   */
  shadow<R extends MoveRecord>(kind: string, answer: readonly R[], read: (data: D) => Promise<readonly R[]>): void {
    const { primary, secondary } = this.route;
    if (!secondary || Math.random() >= this.options.shadowReadShare) return;
    this.stats.shadow.reads += 1;
    void (async () => {
      const other = await read(this.sides[secondary].data);
      if (sameRecords(answer, other)) return;
      const ids = [...answer, ...other].map((record) => record.id);
      const sides = { kind, primary: adapterOf(this.sides[primary].adapters, kind), secondary: adapterOf(this.sides[secondary].adapters, kind), primaryName: primary, secondaryName: secondary };
      const differing = await stillDiffering(sides, ids, { store: this.store, service: this.service });
      if (differing.length === 0) return;
      this.stats.shadow.mismatches += differing.length;
      this.stats.shadow.recent = [...differing, ...this.stats.shadow.recent].slice(0, MAX_LISTED);
    })().catch((error: unknown) => this.logger.warn('store move: a shadow read failed', error));
  }

  private whileHolding(): Promise<void> {
    if (!this.route.hold) return Promise.resolve();
    return new Promise((resolve) => this.released.push(resolve));
  }

  private leave(generation: number): void {
    const left = (this.inflight.get(generation) ?? 1) - 1;
    if (left > 0) this.inflight.set(generation, left);
    else this.inflight.delete(generation);
    for (const waiter of [...this.drained]) {
      if (this.olderInflight(waiter.generation) === 0) {
        this.drained.splice(this.drained.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  private olderInflight(generation: number): number {
    let count = 0;
    for (const [started, writes] of this.inflight) if (started < generation) count += writes;
    return count;
  }

  /** Resolves once no write begun under an older generation is still running (its mirror included). */
  private drain(generation: number): Promise<void> {
    if (this.olderInflight(generation) === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push({ generation, resolve }));
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.route.hold ? this.options.holdPollIntervalMs : this.options.pollIntervalMs;
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .catch((error: unknown) => this.logger.warn('store move: reading the move state failed; keeping the current route', error))
        .finally(() => this.schedule());
    }, interval);
  }

  private async poll(): Promise<void> {
    const state = await this.store.read(this.service);
    if (state && state.generation !== this.generation) await this.follow(state);
    else if (!state && this.generation !== -1) await this.follow(null);
    await this.report();
    await this.replayLeftIntents();
  }

  private async follow(state: MoveState | null): Promise<void> {
    const generation = state?.generation ?? -1;
    const route = routeOf(state, this.home);
    // A new move: its status counts only its own shadow reads and mirrors.
    if (state && state.startedAt !== this.state?.startedAt) this.resetStats();
    this.state = state;
    this.route = route;
    this.generation = generation;
    if (route.hold) this.holdingSince ??= Date.now();
    else this.release();
    await this.drain(generation);
  }

  private resetStats(): void {
    this.stats.shadow = { reads: 0, mismatches: 0, recent: [] };
    this.stats.mirror = { writes: 0, failures: 0, lastLagMs: 0, maxLagMs: 0 };
    this.stats.longestHoldMs = 0;
  }

  private release(): void {
    if (this.holdingSince !== null) this.stats.longestHoldMs = Math.max(this.stats.longestHoldMs, Date.now() - this.holdingSince);
    this.holdingSince = null;
    const waiting = this.released;
    this.released = [];
    for (const resolve of waiting) resolve();
  }

  private lastReport = { at: 0, generation: Number.NaN };

  /** Every poll while a move is under way, and at once for a new generation; otherwise once a second (enough to be counted live). */
  private async report(): Promise<void> {
    const settled = !this.route.secondary && !this.route.hold;
    if (settled && this.generation === this.lastReport.generation && Date.now() - this.lastReport.at < IDLE_REPORT_MS) return;
    this.lastReport = { at: Date.now(), generation: this.generation };
    await this.store.report({ instanceId: this.instanceId, service: this.service, seenAt: new Date(), generation: this.generation, ...this.stats });
  }

  private async replayLeftIntents(): Promise<void> {
    if (!this.route.secondary) return;
    for (const intent of await this.store.intents(this.service, new Date(Date.now() - this.options.replayAfterMs), 50)) {
      await copyTouched(this.sides[intent.source].adapters, this.sides[intent.target].adapters, intent.touches);
      await this.store.clearIntent(intent.id);
    }
  }
}

function sameRecords(a: readonly MoveRecord[], b: readonly MoveRecord[]): boolean {
  const sorted = (records: readonly MoveRecord[]) => [...records].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return checksum(sorted(a)) === checksum(sorted(b));
}
