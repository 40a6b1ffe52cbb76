import { checksum } from './checksum';
import type { MoveStateStore } from './MoveStateStore';
import { stillDiffering } from './stillDiffering';
import { adapterOf } from './copyTouched';
import { MAX_LISTED, type Mismatch, type MoveAdapters, type MoveRecord, type RecordKind, type Touch } from './types';

export interface CompareOptions {
  batchSize: number;
  /** Just these records. */
  only?: readonly Touch[];
  primaryName: string;
  secondaryName: string;
  /** The move's journal: a record with a write in flight is not a mismatch (stillDiffering). */
  journal?: { store: MoveStateStore; service: string };
}

export interface Comparison {
  compared: Record<string, number>;
  mismatches: Mismatch[];
  mismatchCount: number;
}

/**
 * Compares every record of every kind in both stores by checksum, both ways: scans `primary` in
 * keyset batches and looks each batch up in `secondary` (missing or different), then scans
 * `secondary` for records `primary` lacks. Differences are checked again (stillDiffering) and only
 * those that remain are reported.
 */
export async function compareStores(
  kinds: readonly RecordKind[],
  primary: MoveAdapters,
  secondary: MoveAdapters,
  options: CompareOptions,
): Promise<Comparison> {
  const compared: Record<string, number> = {};
  const found: Mismatch[] = [];
  for (const kind of kinds) {
    const mine = adapterOf(primary, kind.name);
    const theirs = adapterOf(secondary, kind.name);
    compared[kind.name] = 0;
    const only = options.only?.filter((touch) => touch.kind === kind.name).flatMap((touch) => touch.ids);
    if (only) {
      found.push(...only.map((id) => ({ kind: kind.name, id, reason: 'asked for' })));
      compared[kind.name] = only.length;
      continue;
    }
    for (const [from, to, missingIn] of [
      [mine, theirs, options.secondaryName],
      [theirs, mine, options.primaryName],
    ] as const) {
      let after: string | null = null;
      for (;;) {
        const batch: MoveRecord[] = await from.scan(after, options.batchSize);
        if (batch.length === 0) break;
        after = batch[batch.length - 1]!.id;
        const present = new Map((await to.get(batch.map((record) => record.id))).map((record) => [record.id, checksum(record)]));
        for (const record of batch) {
          const sum = present.get(record.id);
          if (sum === undefined) found.push({ kind: kind.name, id: record.id, reason: `missing in ${missingIn}` });
          else if (from === mine && sum !== checksum(record)) found.push({ kind: kind.name, id: record.id, reason: 'differs' });
        }
        if (from === mine) compared[kind.name] = (compared[kind.name] ?? 0) + batch.length;
      }
    }
  }
  const mismatches = found.length === 0 ? [] : await recheck(kinds, found, primary, secondary, options);
  return { compared, mismatches: mismatches.slice(0, MAX_LISTED), mismatchCount: mismatches.length };
}

async function recheck(kinds: readonly RecordKind[], found: Mismatch[], primary: MoveAdapters, secondary: MoveAdapters, options: CompareOptions): Promise<Mismatch[]> {
  const still: Mismatch[] = [];
  for (const kind of kinds) {
    const ids = found.filter((mismatch) => mismatch.kind === kind.name).map((mismatch) => mismatch.id);
    if (ids.length === 0) continue;
    const sides = { kind: kind.name, primary: adapterOf(primary, kind.name), secondary: adapterOf(secondary, kind.name), primaryName: options.primaryName, secondaryName: options.secondaryName };
    still.push(...(await stillDiffering(sides, ids, options.journal ?? null)));
  }
  return still;
}
