import { createHash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import type { Client } from 'pg';
import type { UsersData } from '../subgraphs/users/UsersData';

/** What a source row becomes: a record for a target store, or a reason it is not carried. */
export type Outcome =
  | { id: string; carry: Record<string, unknown>; checksum: string }
  /** Left out by a stated rule (a merged duplicate, an expired session, a profile of a deleted user). */
  | { id: string; skip: string }
  /** Cannot be carried (does not fit the new layout); reported with its id and reason. */
  | { id: string; reject: string };

/**
 * The stores the migration writes: the users service's (through its store contracts, whichever
 * engine it is on), the payments and profiles PostgreSQL.
 */
export interface Targets {
  users: UsersData;
  /** Which engine the users service is on (USERS_STORE), for what plan and errors say. */
  usersEngine: 'MongoDB' | 'PostgreSQL';
  payments: Client;
  profiles: Client;
}

/** What every entity can read while it transforms a batch. */
export interface MigrationContext {
  source: Client;
  targets: Targets;
  /** Merged duplicate accounts: legacy id → the id of the account they were merged into. */
  mergedInto(ids: readonly string[]): Promise<Map<string, string>>;
  /** A plan: nothing has been written, so what an entity would find in a target it asks of the source. */
  dryRun: boolean;
}

/**
 * One kind of record carried from the legacy database to a service's store. Rows are read in key
 * order, a batch at a time (keyset pagination on the source's primary key), so memory does not
 * grow with the source and a checkpoint is just the last key done.
 */
export interface Entity {
  /** Machine name, e.g. "payments". */
  name: string;
  /** As people say it: "Accounts". */
  label: string;
  /** Where rows come from and go to, for plan and stats. */
  from: string;
  to(targets: Targets): string;
  /** Source rows (for progress and stats). */
  count(source: Client): Promise<number>;
  /** Up to `limit` source rows with keys after `after`, in key order. */
  read(source: Client, after: string | null, limit: number): Promise<Record<string, unknown>[]>;
  key(row: Record<string, unknown>): string;
  transform(rows: Record<string, unknown>[], context: MigrationContext): Promise<Outcome[]>;
  /**
   * Writes records: `fresh` ones the migration has not written before (inserted; an id already in
   * the target belongs to someone else and is returned as a conflict, not overwritten) and `known`
   * ones it wrote before (replaced). Returns the ids of conflicts.
   */
  write(targets: Targets, fresh: Record<string, unknown>[], known: Record<string, unknown>[]): Promise<string[]>;
  /** The canonical form of what the target holds for `ids` (missing ids absent), for verify. */
  readBack(targets: Targets, ids: readonly string[]): Promise<Map<string, Record<string, unknown>>>;
  /**
   * Undoes records whose source row is gone (deleted in the legacy system since a run) or that the
   * rules no longer carry. Absent for records that stay whatever happens (payments, history).
   */
  vanish?(targets: Targets, ids: readonly string[]): Promise<void>;
  /** Deletes these ids from the target (rollback). */
  remove(targets: Targets, ids: readonly string[]): Promise<void>;
  /** Carried records whose users do not resolve in the users store (verify). */
  references?(users: UserIndex, carried: Record<string, unknown>[]): { id: string; problem: string }[];
  /**
   * For records the users service keeps: every record of the store, in id order, with its
   * canonical form (null for one that is not this entity's). Verify reads them in one pass beside
   * the source (also in id order), since FerretDB answers `_id: { $in }` by scanning.
   */
  inIdOrder?(targets: Targets): AsyncIterable<{ id: string; canonical: Record<string, unknown> | null }>;
}

/** Every id in the users store and whether it is a user or a deleted user's tombstone (verify loads it once). */
export type UserIndex = ReadonlyMap<string, 'live' | 'deleted'>;

/**
 * What an entity kept in the users service's stores needs besides its reading and transforming,
 * all through the stores' contracts (subgraphs/users/*Store.ts), so it works on either engine:
 * writing, reading back by id and in id order, and removing its records, from the contract's
 * calls and the canonical form of a record (null: not this entity's, e.g. a tombstone for accounts).
 */
export function usersStorage<R extends { id: string }>(options: {
  write(users: UsersData, fresh: Record<string, unknown>[], known: Record<string, unknown>[]): Promise<string[]>;
  byIds(users: UsersData, ids: readonly string[]): Promise<R[]>;
  inIdOrder(users: UsersData): AsyncIterable<R>;
  canonical(record: R): Record<string, unknown> | null;
  remove(users: UsersData, ids: readonly string[]): Promise<void>;
}): Pick<Entity, 'write' | 'readBack' | 'remove' | 'inIdOrder'> {
  return {
    write: (targets, fresh, known) => options.write(targets.users, fresh, known),
    async readBack(targets, ids) {
      const records = await options.byIds(targets.users, ids);
      return new Map(records.flatMap((record) => {
        const canonical = options.canonical(record);
        return canonical ? [[record.id, canonical] as const] : [];
      }));
    },
    remove: (targets, ids) => options.remove(targets.users, ids),
    async *inIdOrder(targets) {
      for await (const record of options.inIdOrder(targets.users)) yield { id: record.id, canonical: options.canonical(record) };
    },
  };
}

/** The carried records whose user (field `field`) is not a live user, or not in the store at all when `tombstones` count. */
export function unresolvedUsers(users: UserIndex, carried: Record<string, unknown>[], fields: readonly string[], tombstones: boolean): { id: string; problem: string }[] {
  return carried.flatMap((record) =>
    fields
      .map((field) => String(record[field]))
      .filter((userId) => { const status = users.get(userId); return status === undefined || (status === 'deleted' && !tombstones); })
      .map((userId) => ({ id: String(record.id), problem: `points at user ${userId}, who is not ${tombstones ? 'in the users store' : 'a user'}` })),
  );
}

/** A record's checksum: SHA-256 of its canonical JSON (keys sorted), the same from source and target. */
export function checksum(canonical: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(canonical) ?? '').digest('base64url').slice(0, 22);
}

export function outcome(id: string, canonical: Record<string, unknown>): Outcome {
  return { id, carry: canonical, checksum: checksum(canonical) };
}

/** A timestamp as the canonical form keeps it (milliseconds: what both kinds of target store hold). */
export const iso = (value: unknown): string | null => (value == null ? null : new Date(value as string | Date).toISOString());

/** A text that fits a target column, or the reason it does not. */
export function tooLong(row: Record<string, unknown>, limits: Record<string, number>): string | null {
  for (const [column, max] of Object.entries(limits)) {
    const value = row[column];
    if (typeof value === 'string' && value.length > max) return `${column} has ${value.length} characters; the new store keeps at most ${max}`;
  }
  return null;
}
