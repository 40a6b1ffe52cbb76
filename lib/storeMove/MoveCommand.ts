import { NO_PROGRESS, type Progress } from '../progress';
import { awaitAcks } from './awaitAcks';
import { backfill, backfillDone } from './backfill';
import { compareStores, type Comparison } from './compareStores';
import { copyTouched } from './copyTouched';
import { MoveError } from './MoveError';
import type { MoveStateStore } from './MoveStateStore';
import { replayIntents } from './replayIntents';
import { currentStore, routeOf } from './routeOf';
import { STORE_ENGINES, type InstanceReport, type Mismatch, type Movable, type MoveAdapters, type MovePhase, type MoveState, type OpenedSide, type StoreEngine, type Touch } from './types';

export const MOVE_VERBS = ['plan', 'start', 'verify', 'switch', 'finish', 'rollback', 'status'] as const;
export type MoveVerb = (typeof MOVE_VERBS)[number];

export interface MoveCommandOptions {
  /** Records per keyset batch of the backfill and of verify (default 500). */
  batchSize?: number;
  progress?: Progress;
  /** How long a barrier waits for every live instance to acknowledge (ms; default 10000). */
  barrierTimeoutMs?: number;
  /** An instance silent for this long is taken for gone (ms; default 3000, twelve of its polls). */
  liveForMs?: number;
}

export interface MoveRequest {
  to?: StoreEngine;
  /** One entity's records only (start, verify). */
  only?: string;
  /** Says what would be done, changes nothing (start, switch, finish, rollback). */
  dryRun?: boolean;
}

/** What a verb did: a report for people, the same as data (--json), and the exit code. */
export interface MoveOutcome {
  exitCode: number;
  text: string;
  data: Record<string, unknown>;
}

const ACTIVE: readonly MovePhase[] = ['dual', 'switching', 'switched', 'rollingBack'];

/**
 * The operator's side of a move (`npm run move-store`): each verb checks the phase it follows
 * from, changes the shared state, and waits at barriers for every live instance to follow. It
 * opens the service on both engines through the service's Movable.
 */
export class MoveCommand<D> {
  private readonly batchSize: number;
  private readonly progress: Progress;
  private readonly ack: { liveForMs: number; timeoutMs: number };

  private constructor(
    private readonly movable: Movable<D>,
    private readonly store: MoveStateStore,
    private readonly sides: Readonly<Record<StoreEngine, OpenedSide<D>>>,
    options: MoveCommandOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.progress = options.progress ?? NO_PROGRESS;
    this.ack = { liveForMs: options.liveForMs ?? 3000, timeoutMs: options.barrierTimeoutMs ?? 10_000 };
  }

  /** Opens the service's state and both of its stores. */
  static async open<D>(movable: Movable<D>, options: MoveCommandOptions = {}): Promise<MoveCommand<D>> {
    const store = await movable.openState();
    const opened: OpenedSide<D>[] = [];
    try {
      for (const engine of STORE_ENGINES) opened.push(await movable.open(engine));
    } catch (error) {
      for (const side of opened) await side.close();
      await store.close();
      throw error;
    }
    const [mongodb, postgresql] = opened as [OpenedSide<D>, OpenedSide<D>];
    return new MoveCommand(movable, store, { mongodb, postgresql }, options);
  }

  async close(): Promise<void> {
    for (const side of Object.values(this.sides)) await side.close();
    await this.store.close();
  }

  run(verb: MoveVerb, request: MoveRequest = {}): Promise<MoveOutcome> {
    switch (verb) {
      case 'plan':
        return this.plan(request);
      case 'start':
        return this.start(request);
      case 'verify':
        return this.verify(request);
      case 'switch':
        return this.switch(request);
      case 'finish':
        return this.finish(request);
      case 'rollback':
        return this.rollback(request);
      case 'status':
        return this.status();
    }
  }

  private get service(): string {
    return this.movable.service;
  }

  private get adapters(): Record<StoreEngine, MoveAdapters> {
    return { mongodb: this.sides.mongodb.adapters, postgresql: this.sides.postgresql.adapters };
  }

  /** The move `to` names: the active one (which it must match), or a new one from the current store. */
  private async target(to: StoreEngine | undefined): Promise<{ state: MoveState | null; from: StoreEngine; to: StoreEngine }> {
    if (!to) throw new MoveError('MOVE_BAD_INPUT', 'say where to move: --to mongodb or --to postgresql');
    const state = await this.store.read(this.service);
    if (state && ACTIVE.includes(state.phase)) {
      if (state.to !== to) throw new MoveError('MOVE_BAD_TARGET', `${this.service} is being moved to ${state.to} (phase ${state.phase}), not to ${to}: finish or roll back that move first`);
      return { state, from: state.from, to };
    }
    const from = currentStore(state, this.movable.home);
    if (from === to) throw new MoveError('MOVE_BAD_TARGET', `${this.service} is on ${to} already`);
    return { state, from, to };
  }

  private async plan(request: MoveRequest): Promise<MoveOutcome> {
    const { from, to } = await this.target(request.to);
    const kinds: Record<string, { records: number; inTarget: number; unmappable: number }> = {};
    const unmappable: Mismatch[] = [];
    for (const kind of this.movable.kinds) {
      const source = this.adapters[from][kind.name]!;
      let after: string | null = null;
      let records = 0;
      let bad = 0;
      for (;;) {
        const batch = await source.scan(after, this.batchSize);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.id;
        records += batch.length;
        for (const record of batch) {
          const reason = kind.unmappable(record, to);
          if (!reason) continue;
          bad += 1;
          if (unmappable.length < 100) unmappable.push({ kind: kind.name, id: record.id, reason });
        }
      }
      kinds[kind.name] = { records, inTarget: await this.adapters[to][kind.name]!.count(), unmappable: bad };
    }
    const lines = [
      `plan: move ${this.service} from ${from} to ${to} (nothing was written)`,
      ...Object.entries(kinds).map(([name, k]) => `  ${name.padEnd(18)} ${String(k.records).padStart(9)} to copy   ${String(k.inTarget).padStart(9)} in ${to} now   ${k.unmappable} cannot be mapped`),
      ...unmappable.map((m) => `  cannot map ${m.kind} ${m.id}: ${m.reason}`),
    ];
    return { exitCode: 0, text: lines.join('\n'), data: { from, to, kinds, unmappable } };
  }

  private async start(request: MoveRequest): Promise<MoveOutcome> {
    const { state: current, from, to } = await this.target(request.to);
    if (current && ACTIVE.includes(current.phase) && current.phase !== 'dual') {
      throw new MoveError('MOVE_WRONG_PHASE', `the move of ${this.service} is at ${current.phase}: start runs (or resumes) only in dual mode; see status`);
    }
    if (request.dryRun) {
      const planned = await this.plan(request);
      const resume = current?.phase === 'dual';
      return { ...planned, text: `${planned.text}\ndry run: would ${resume ? 'resume the backfill' : `enter dual mode (writes to ${from}, mirrored to ${to})`}${request.only ? ` and copy ${request.only} only` : ' and copy every record'}` };
    }
    let state = current?.phase === 'dual' ? current : await this.enter(current, { from, to, phase: 'dual', fresh: true });
    await awaitAcks(this.store, this.service, state.generation, this.ack);
    // Intents of instances that died before dual mode was acknowledged by all.
    await replayIntents(this.store, this.service, this.adapters);
    if (request.only) {
      const touches = await this.movable.related(this.sides[from].data, request.only);
      const changed = await copyTouched(this.adapters[from], this.adapters[to], touches);
      return { exitCode: 0, text: `start: dual mode; copied ${describeTouches(touches)} (${changed} changed in ${to})`, data: { phase: state.phase, only: request.only, touches, changed } };
    }
    state = await backfill(state, this.movable.kinds, this.adapters, { batchSize: this.batchSize, progress: this.progress, save: (next) => this.save(next) });
    const copied = Object.fromEntries(Object.entries(state.backfill).map(([kind, progress]) => [kind, progress.copied]));
    return {
      exitCode: 0,
      text: [`start: ${this.service} in dual mode (reads and writes on ${from}, mirrored to ${to}); backfill done`, ...Object.entries(state.backfill).map(([kind, p]) => `  ${kind.padEnd(18)} ${p.copied} copied, ${p.skipped} skipped`), 'next: verify, then switch'].join('\n'),
      data: { phase: state.phase, copied, skipped: state.skipped },
    };
  }

  private async verify(request: MoveRequest): Promise<MoveOutcome> {
    const state = await this.active(['dual', 'switched'], 'verify');
    if (!request.only && !backfillDone(state, this.movable.kinds)) throw this.backfillNotDone(state);
    await replayIntents(this.store, this.service, this.adapters);
    const route = routeOf(state, this.movable.home);
    const only = request.only ? await this.movable.related(this.sides[route.primary].data, request.only) : undefined;
    const comparison = await compareStores(this.movable.kinds, this.adapters[route.primary], this.adapters[route.secondary!], {
      batchSize: this.batchSize,
      only,
      primaryName: route.primary,
      secondaryName: route.secondary!,
      journal: { store: this.store, service: this.service },
    });
    const instances = await this.store.instances(this.service, this.ack.liveForMs);
    const shadow = shadowTotals(instances);
    if (!only) {
      const latest = (await this.store.read(this.service))!;
      await this.save({ ...latest, verified: { at: new Date().toISOString(), ...comparison } });
    }
    // Shadow mismatches were checked again on the records before they were counted; a record that
    // still differs shows in the comparison too, so the comparison alone decides.
    const clean = comparison.mismatchCount === 0;
    const lines = [
      `verify: ${Object.entries(comparison.compared).map(([kind, n]) => `${n} ${kind}`).join(', ')} compared by checksum between ${route.primary} and ${route.secondary}`,
      `  ${comparison.mismatchCount} record(s) differ; shadow reads: ${shadow.reads} made, ${shadow.mismatches} mismatched`,
      ...[...comparison.mismatches, ...shadow.recent].map((m) => `  ${m.kind} ${m.id}: ${m.reason}`),
      clean ? (state.phase === 'dual' ? 'the stores agree: next, switch' : 'the stores agree') : 'the stores differ (see above): start --only <id> copies one again',
    ];
    return { exitCode: clean ? 0 : 1, text: lines.join('\n'), data: { phase: state.phase, ...comparison, shadow } };
  }

  private async switch(request: MoveRequest): Promise<MoveOutcome> {
    const state = await this.active(['dual'], 'switch');
    if (!backfillDone(state, this.movable.kinds)) throw this.backfillNotDone(state);
    if (!state.verified) throw new MoveError('MOVE_WRONG_PHASE', `${this.service} has not been verified since the backfill: run verify before switch`);
    if (state.verified.mismatchCount > 0) throw new MoveError('MOVE_MISMATCH', `the last verify found ${state.verified.mismatchCount} mismatch(es): fix them (start --only <id>) and verify again before switch`);
    if (request.dryRun) return { exitCode: 0, text: `dry run: would hold writes on every instance, replay the journal, and send reads and writes to ${state.to} (${state.from} still written)`, data: { phase: state.phase } };
    const { pauseMs, instances } = await this.barrier(state, 'switching', 'switched', 'dual');
    return {
      exitCode: 0,
      text: `switch: ${this.service} reads and writes ${state.to} on ${instances} instance(s); ${state.from} is still written (rollback stays open). Longest write pause: ${pauseMs} ms\nnext: verify, then finish (or rollback)`,
      data: { phase: 'switched', pauseMs, instances },
    };
  }

  private async finish(request: MoveRequest): Promise<MoveOutcome> {
    const state = await this.active(['switched'], 'finish');
    if (request.dryRun) return { exitCode: 0, text: `dry run: would stop writing ${state.from}; ${this.service} stays on ${state.to}`, data: { phase: state.phase } };
    const next = await this.enter(state, { phase: 'finished' });
    await awaitAcks(this.store, this.service, next.generation, this.ack);
    await replayIntents(this.store, this.service, this.adapters);
    return {
      exitCode: 0,
      text: `finish: ${this.service} is on ${state.to}; ${state.from} is no longer written (it keeps its data as of now). Set ${this.movable.variableOf(state.to)} as the service's store when convenient.`,
      data: { phase: 'finished' },
    };
  }

  private async rollback(request: MoveRequest): Promise<MoveOutcome> {
    const state = await this.store.read(this.service);
    if (!state || state.phase === 'rolledBack') throw new MoveError('MOVE_WRONG_PHASE', `${this.service} has no move to roll back`);
    if (state.phase === 'finished') throw new MoveError('MOVE_WRONG_PHASE', `the move of ${this.service} to ${state.to} is finished: ${state.from} is no longer written; move back with start --to ${state.from}`);
    if (request.dryRun) return { exitCode: 0, text: `dry run: would send reads and writes back to ${state.from}`, data: { phase: state.phase } };
    if (state.phase === 'dual' || state.phase === 'switching') {
      const next = await this.enter(state, { phase: 'rolledBack' });
      await awaitAcks(this.store, this.service, next.generation, this.ack);
      await replayIntents(this.store, this.service, this.adapters);
      return { exitCode: 0, text: `rollback: ${this.service} is on ${state.from} alone again (it never left it)`, data: { phase: 'rolledBack' } };
    }
    // From switched: every write since the switch was mirrored to `from`; the barrier drains the
    // last ones and the comparison (made while writes are held) proves nothing is missing there.
    let comparison: Comparison | null = null;
    const { pauseMs } = await this.barrier(state, 'rollingBack', 'rolledBack', 'switched', async () => {
      comparison = await compareStores(this.movable.kinds, this.adapters[state.to], this.adapters[state.from], { batchSize: this.batchSize, primaryName: state.to, secondaryName: state.from, journal: { store: this.store, service: this.service } });
    });
    const result = comparison as Comparison | null;
    const clean = result?.mismatchCount === 0;
    return {
      exitCode: clean ? 0 : 1,
      text: [
        `rollback: ${this.service} reads and writes ${state.from} again (longest write pause ${pauseMs} ms)`,
        clean ? `  every record of ${state.to} is in ${state.from}: nothing written since the switch was lost` : `  ${result?.mismatchCount} record(s) of ${state.to} differ in ${state.from}:`,
        ...(result?.mismatches ?? []).map((m) => `  ${m.kind} ${m.id}: ${m.reason}`),
      ].join('\n'),
      data: { phase: 'rolledBack', pauseMs, comparison: result },
    };
  }

  private async status(): Promise<MoveOutcome> {
    const state = await this.store.read(this.service);
    const counts: Record<string, Record<StoreEngine, number>> = {};
    for (const kind of this.movable.kinds) {
      counts[kind.name] = { mongodb: await this.adapters.mongodb[kind.name]!.count(), postgresql: await this.adapters.postgresql[kind.name]!.count() };
    }
    const instances = await this.store.instances(this.service, this.ack.liveForMs);
    const pendingIntents = (await this.store.intents(this.service, new Date(), 10_000)).length;
    const shadow = shadowTotals(instances);
    const lagMs = Math.max(0, ...instances.map((instance) => instance.mirror.lastLagMs));
    const maxLagMs = Math.max(0, ...instances.map((instance) => instance.mirror.maxLagMs));
    const on = currentStore(state, this.movable.home);
    const lines = [
      state ? `${this.service}: ${state.phase} (moving ${state.from} → ${state.to}, generation ${state.generation}, since ${state.changedAt})` : `${this.service}: no move; on ${on}`,
      ...Object.entries(counts).map(([kind, c]) => {
        const progress = state?.backfill[kind];
        const bar = progress ? `  backfill ${progressBar(progress.copied + progress.skipped, progress.total, progress.done)}` : '';
        return `  ${kind.padEnd(18)} mongodb ${String(c.mongodb).padStart(9)}   postgresql ${String(c.postgresql).padStart(9)}${bar}`;
      }),
      `  instances: ${instances.length} live${instances.length ? ` (following generation ${[...new Set(instances.map((i) => i.generation))].join(', ')})` : ''}`,
      `  dual-write lag: last ${lagMs} ms, max ${maxLagMs} ms; ${pendingIntents} write(s) journaled, not yet mirrored`,
      `  shadow reads: ${shadow.reads} made, ${shadow.mismatches} mismatched${shadow.recent.length ? ` (${shadow.recent.map((m) => `${m.kind} ${m.id}`).join(', ')})` : ''}`,
      state?.verified ? `  last verify ${state.verified.at}: ${state.verified.mismatchCount} mismatch(es)` : '  not verified yet',
      ...(state?.longestPauseMs != null ? [`  longest write pause at the last barrier: ${state.longestPauseMs} ms`] : []),
      ...(state?.skipped.length ? [`  skipped (cannot be mapped): ${state.skipped.map((m) => `${m.kind} ${m.id} (${m.reason})`).join(', ')}`] : []),
    ];
    return { exitCode: 0, text: lines.join('\n'), data: { state, on, counts, instances: instances.length, lagMs, maxLagMs, pendingIntents, shadow } };
  }

  /**
   * A barrier: the hold phase makes every instance hold new writes and acknowledge once its
   * writes in flight are done; the journal is replayed (and `whileHeld` runs); then the next
   * phase releases them. Not acknowledged in time, the phase goes back to `back` and the writes
   * are released where they were.
   */
  private async barrier(state: MoveState, hold: MovePhase, next: MovePhase, back: MovePhase, whileHeld?: () => Promise<void>): Promise<{ pauseMs: number; instances: number }> {
    const held = await this.enter(state, { phase: hold });
    const started = Date.now();
    try {
      await awaitAcks(this.store, this.service, held.generation, this.ack);
      await replayIntents(this.store, this.service, this.adapters);
      await whileHeld?.();
    } catch (error) {
      await this.enter(await this.latest(), { phase: back });
      throw error;
    }
    const released = await this.enter(await this.latest(), { phase: next });
    const windowMs = Date.now() - started;
    const reports = await awaitAcks(this.store, this.service, released.generation, this.ack);
    const pauseMs = reports.length > 0 ? Math.max(...reports.map((report) => report.longestHoldMs)) : windowMs;
    await this.save({ ...(await this.latest()), longestPauseMs: pauseMs });
    return { pauseMs, instances: reports.length };
  }

  /** A phase change: a new generation every instance follows. `fresh` starts a new move's state. */
  private async enter(state: MoveState | null, change: { phase: MovePhase; from?: StoreEngine; to?: StoreEngine; fresh?: boolean }): Promise<MoveState> {
    const now = new Date().toISOString();
    const base: MoveState =
      change.fresh || !state
        ? { service: this.service, from: change.from!, to: change.to!, phase: change.phase, generation: 0, revision: 0, startedAt: now, changedAt: now, backfill: {}, skipped: [], verified: null, longestPauseMs: null }
        : state;
    return this.saveAgainst({ ...base, phase: change.phase, generation: (state?.generation ?? 0) + 1, changedAt: now }, state?.revision ?? null);
  }

  private async latest(): Promise<MoveState> {
    const state = await this.store.read(this.service);
    if (!state) throw new MoveError('MOVE_CONCURRENT_COMMAND', `the move state of ${this.service} disappeared`);
    return state;
  }

  private save(next: MoveState): Promise<MoveState> {
    return this.saveAgainst(next, next.revision);
  }

  private async saveAgainst(next: MoveState, expectedRevision: number | null): Promise<MoveState> {
    const saved = { ...next, revision: (expectedRevision ?? -1) + 1 };
    if (!(await this.store.save(saved, expectedRevision))) {
      throw new MoveError('MOVE_CONCURRENT_COMMAND', `another move-store command changed the move of ${this.service} meanwhile; nothing more was done (see status)`);
    }
    return saved;
  }

  private async active(phases: readonly MovePhase[], verb: string): Promise<MoveState> {
    const state = await this.store.read(this.service);
    if (!state || !ACTIVE.includes(state.phase)) throw new MoveError('MOVE_WRONG_PHASE', `${this.service} has no move in progress: ${verb} needs one (start it first)`);
    if (!phases.includes(state.phase)) throw new MoveError('MOVE_WRONG_PHASE', `${verb} needs the move of ${this.service} at ${phases.join(' or ')}, but it is at ${state.phase}`);
    return state;
  }

  private backfillNotDone(state: MoveState): MoveError {
    const left = this.movable.kinds.filter((kind) => !state.backfill[kind.name]?.done).map((kind) => {
      const p = state.backfill[kind.name];
      return `${kind.name}: ${p ? `${p.copied} of ${p.total}` : 'not started'}`;
    });
    return new MoveError('MOVE_WRONG_PHASE', `the backfill of ${this.service} is not done (${left.join('; ')}): run start again, it resumes`);
  }
}

function shadowTotals(instances: readonly InstanceReport[]): { reads: number; mismatches: number; recent: Mismatch[] } {
  return {
    reads: instances.reduce((sum, i) => sum + i.shadow.reads, 0),
    mismatches: instances.reduce((sum, i) => sum + i.shadow.mismatches, 0),
    recent: instances.flatMap((i) => i.shadow.recent).slice(0, 20),
  };
}

function describeTouches(touches: readonly Touch[]): string {
  return touches.map((touch) => `${touch.ids.length} ${touch.kind}`).join(', ');
}

/** A fixed-width bar, as `status` prints it once (the backfill itself draws a live one). */
function progressBar(done: number, total: number, finished: boolean): string {
  const share = finished ? 1 : total > 0 ? Math.min(done / total, 1) : 0;
  const width = 20;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${done}/${total}${finished ? ' done' : ''}`;
}
