/**
 * The online move of a service's data between its MongoDB and PostgreSQL stores (`npm run
 * move-store`): the types the engine (this folder) and each movable service (its adapters, its
 * moving stores) share. Nothing here knows of teams or users.
 */
import type { MoveStateStore } from './MoveStateStore';

export const STORE_ENGINES = ['mongodb', 'postgresql'] as const;
export type StoreEngine = (typeof STORE_ENGINES)[number];

/** Any record a move copies: keyed by a string id, unique within its kind. */
export interface MoveRecord {
  id: string;
}

/**
 * What one store implementation offers the move for one kind of record (teams, team tokens,
 * processed events...). Records are the store's whole truth for the kind: tombstones included,
 * secrets (hashes) included, outbox excluded (events are written by the primary store only).
 */
export interface MoveAdapter<R extends MoveRecord = MoveRecord> {
  /** Every record (tombstones too) in id order after `afterId`, at most `limit`: the backfill's keyset batches. */
  scan(afterId: string | null, limit: number): Promise<R[]>;
  /** The records among `ids` (tombstones too); absent ids are left out. */
  get(ids: readonly string[]): Promise<R[]>;
  /**
   * Writes each record unless the store already holds a newer state of it, without writing any
   * outbox event. Idempotent: putting a record twice, or an older one after a newer one, leaves
   * the newer. "Newer" is the kind's own rule (a revision, or a merge whose fields only move one
   * way), stated where the adapter is written. Returns how many records changed.
   */
  putIfNewer(records: readonly R[]): Promise<number>;
  /** How many records (tombstones too). */
  count(): Promise<number>;
}

/** One kind of record of a movable service, as the engine sees it. */
export interface RecordKind<R extends MoveRecord = MoveRecord> {
  /** Its name in the move's state, plan and status ("teams", "team_tokens"...). */
  name: string;
  /** Why `record` cannot be written to a store on `target` (an id PostgreSQL's uuid column refuses...); null when it can. */
  unmappable(record: R, target: StoreEngine): string | null;
}

/** Adapters of one store for every kind, by kind name. */
export type MoveAdapters = Readonly<Record<string, MoveAdapter>>;

/** A service's data on one engine, opened for a move: its contracts (`data`) and their move adapters. */
export interface OpenedSide<D> {
  engine: StoreEngine;
  data: D;
  adapters: MoveAdapters;
  close(): Promise<void>;
}

/**
 * What the engine needs to know of a service to move it (one small file per service, e.g.
 * subgraphs/teams/move/teamsMovable.ts): its kinds in copying order (a kind another refers to comes
 * first: teams before their tokens), how to open it on either engine, and where the shared move
 * state lives (the service's configured, "home", store, which every instance and the command see).
 */
export interface Movable<D = unknown> {
  service: string;
  /** The engine the service is configured on (USERS_STORE / TEAMS_STORE). */
  home: StoreEngine;
  kinds: readonly RecordKind[];
  open(engine: StoreEngine): Promise<OpenedSide<D>>;
  openState(): Promise<MoveStateStore>;
  /** The records that make up one entity of the service (a team and its tokens), for `--only <id>`; in copying order. */
  related(data: D, id: string): Promise<Touch[]>;
  /** The variable that names `engine`'s store, for the errors of a command that lacks it (TEAMS_DATABASE_URL...). */
  variableOf(engine: StoreEngine): string;
}

/**
 * Phases of a move, in order: `dual` (writes go to `from` and are mirrored to `to`; the backfill
 * runs), `switching` (a short barrier: instances hold new writes and acknowledge), `switched`
 * (reads and writes on `to`, mirrored back to `from`), `finished` (`to` only). `rollingBack` is
 * the barrier on the way back from `switched`; `rolledBack` is `from` only again.
 */
export const MOVE_PHASES = ['dual', 'switching', 'switched', 'rollingBack', 'rolledBack', 'finished'] as const;
export type MovePhase = (typeof MOVE_PHASES)[number];

/** A record that differs between the stores, or could not be copied, and why. */
export interface Mismatch {
  kind: string;
  id: string;
  reason: string;
}

export interface KindProgress {
  /** The last id copied: the backfill resumes after it. */
  after: string | null;
  copied: number;
  /** Records that cannot be mapped to the target (listed in `MoveState.skipped`). */
  skipped: number;
  /** How many records `from` held when the backfill started (the progress bar's total). */
  total: number;
  done: boolean;
}

/** The one shared record of a service's move (in its home store): every instance follows it. */
export interface MoveState {
  service: string;
  from: StoreEngine;
  to: StoreEngine;
  phase: MovePhase;
  /** Bumped by every phase change; each instance acknowledges the generation it follows. */
  generation: number;
  /** Bumped by every save: two commands never overwrite each other's progress (compare-and-set). */
  revision: number;
  startedAt: string;
  changedAt: string;
  backfill: Record<string, KindProgress>;
  /** Unmappable records met by the backfill (at most MAX_LISTED). */
  skipped: Mismatch[];
  /** The last verify: when, how many records compared per kind, and what differed (at most MAX_LISTED). */
  verified: { at: string; compared: Record<string, number>; mismatches: Mismatch[]; mismatchCount: number } | null;
  /** The longest time an instance held writes during the last switch or rollback barrier. */
  longestPauseMs: number | null;
}

/** How many ids a state or a report lists at most (the counts are kept whole). */
export const MAX_LISTED = 100;

/** Which way records flow when a write has to be mirrored. */
export interface Direction {
  source: StoreEngine;
  target: StoreEngine;
}

/** (kind, ids) a write is about to change: journaled before the write, mirrored after it. */
export interface Touch {
  kind: string;
  ids: string[];
}

/**
 * A write's intent, recorded before the primary write and cleared once it is mirrored: an
 * instance killed in between leaves it behind, and the next replay (any instance, the command)
 * copies those records' current state from `source` to `target`.
 */
export interface Intent extends Direction {
  id: string;
  service: string;
  touches: Touch[];
  at: Date;
}

/** What each instance of a service reports about itself, every poll. */
export interface InstanceReport {
  instanceId: string;
  service: string;
  /** When this instance last reported: one silent for longer than the state store's `liveForMs` is taken for gone. */
  seenAt: Date;
  /** The generation this instance follows, all writes of older ones drained. */
  generation: number;
  shadow: { reads: number; mismatches: number; recent: Mismatch[] };
  mirror: { writes: number; failures: number; lastLagMs: number; maxLagMs: number };
  /** The longest this instance held writes at a barrier (ms). */
  longestHoldMs: number;
}
