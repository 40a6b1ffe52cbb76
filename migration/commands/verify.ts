import stableStringify from 'safe-stable-stringify';
import type { Progress } from '../../lib/progress';
import type { Connections } from '../connections';
import { checksum, type Targets, type UserIndex } from '../entity';
import { ENTITIES } from '../entities';
import { n, transformedBatches } from './stream';

export interface Mismatch {
  id: string;
  problem: string;
}

export interface VerifiedEntity {
  entity: string;
  label: string;
  /** Source rows, and those the rules say must be in the target. */
  rows: number;
  expected: number;
  matching: number;
  missing: number;
  differing: number;
  /** Carried records whose references do not resolve in the targets. */
  unresolved: number;
  /** The first mismatches, to look at (all are counted). */
  examples: Mismatch[];
}

const EXAMPLES = 20;

/** The fields in which two canonical records differ. */
function differences(expected: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  return Object.keys({ ...expected, ...actual }).filter((key) => stableStringify(expected[key]) !== stableStringify(actual[key]));
}

/**
 * Proves the targets hold the source: for every row the rules say to carry, the target's record
 * (read back, not the state's word for it) must have the same checksum, and what it points at
 * must resolve. Reads like `run`, batch by batch.
 */
export async function verifyMigration(connections: Connections, batchSize: number, progress: Progress): Promise<VerifiedEntity[]> {
  const results: VerifiedEntity[] = [];
  const users = await userIndex(connections.targets);
  for (const entity of ENTITIES) {
    const sorted = entity.inIdOrder ? new SortedRecords(entity.inIdOrder(connections.targets)) : null;
    const result: VerifiedEntity = { entity: entity.name, label: entity.label, rows: 0, expected: 0, matching: 0, missing: 0, differing: 0, unresolved: 0, examples: [] };
    const note = (mismatch: Mismatch) => result.examples.length < EXAMPLES && result.examples.push(mismatch);
    const task = progress.start(`verify ${entity.label}`, await entity.count(connections.source));
    for await (const batch of transformedBatches(connections, entity, batchSize)) {
      result.rows += batch.rows;
      const carry = batch.outcomes.flatMap((item) => ('carry' in item ? [item] : []));
      result.expected += carry.length;
      const found = sorted ? await sorted.upTo(batch.last) : await entity.readBack(connections.targets, carry.map((item) => item.id));
      for (const item of carry) {
        const actual = found.get(item.id);
        if (!actual) {
          result.missing += 1;
          note({ id: item.id, problem: 'missing in the target' });
        } else if (checksum(actual) !== item.checksum) {
          result.differing += 1;
          note({ id: item.id, problem: `differs in ${differences(item.carry, actual).join(', ')}` });
        } else {
          result.matching += 1;
        }
      }
      if (entity.references) {
        const problems = entity.references(users, carry.filter((item) => found.has(item.id)).map((item) => item.carry));
        result.unresolved += problems.length;
        for (const problem of problems) note(problem);
      }
      task.update(result.rows);
    }
    task.finish(result.rows);
    await sorted?.close();
    results.push(result);
  }
  return results;
}

/**
 * Every id in the users store, user or tombstone, read once (ids only are kept: about 10 MB per
 * 100,000 users) so that reference checks do not ask the store batch by batch.
 */
async function userIndex(targets: Targets): Promise<UserIndex> {
  const index = new Map<string, 'live' | 'deleted'>();
  for await (const record of targets.users.users.recordsInIdOrder()) index.set(record.id, record.deletedAt ? 'deleted' : 'live');
  return index;
}

/**
 * A store's records read once in id order, beside the source (also read in id order: a uuid's
 * order is its text's), handing over each batch's: one pass instead of one lookup per batch.
 */
class SortedRecords {
  private readonly records: AsyncIterator<{ id: string; canonical: Record<string, unknown> | null }>;
  private pending: { id: string; canonical: Record<string, unknown> | null } | null = null;

  constructor(records: AsyncIterable<{ id: string; canonical: Record<string, unknown> | null }>) {
    this.records = records[Symbol.asyncIterator]();
  }

  /** The canonical records with ids up to `last` (and after the previous call's). */
  async upTo(last: string): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (;;) {
      let record = this.pending;
      this.pending = null;
      if (!record) {
        const next = await this.records.next();
        if (next.done) return found;
        record = next.value;
      }
      if (record.id > last) {
        this.pending = record;
        return found;
      }
      if (record.canonical) found.set(record.id, record.canonical);
    }
  }

  /** Lets the store's cursor go (an iteration ended early). */
  async close(): Promise<void> {
    await this.records.return?.();
  }
}

export function verifiedOk(results: readonly VerifiedEntity[]): boolean {
  return results.every((result) => result.missing === 0 && result.differing === 0 && result.unresolved === 0);
}

export function formatVerification(results: readonly VerifiedEntity[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const problems = r.missing + r.differing + r.unresolved;
    lines.push(
      `${r.label.padEnd(28)} ${n(r.matching)} / ${n(r.expected)} match${problems ? `; ${n(r.missing)} missing, ${n(r.differing)} differ, ${n(r.unresolved)} with unresolved references` : ''}${r.rows !== r.expected ? ` (${n(r.rows - r.expected)} of ${n(r.rows)} source rows not carried by rule)` : ''}`,
    );
    for (const example of r.examples) lines.push(`    ${example.id}: ${example.problem}`);
  }
  lines.push('', verifiedOk(results) ? 'Verified: every carried record matches its source, and every reference resolves.' : 'Verification FAILED: see the mismatches above.');
  return lines.join('\n');
}
