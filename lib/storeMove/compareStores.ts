import { checksum } from './checksum';
import { adapterOf } from './copyTouched';
import { MAX_LISTED, type Mismatch, type MoveAdapter, type MoveAdapters, type MoveRecord, type RecordKind, type Touch } from './types';

/** How long a difference waits before it is checked again: a write being mirrored right then is not a mismatch. */
const RECHECK_MS = 300;

export interface Comparison {
  compared: Record<string, number>;
  mismatches: Mismatch[];
  mismatchCount: number;
}

/**
 * Compares every record of every kind in both stores by checksum, both ways: scans `primary` in
 * keyset batches and looks each batch up in `secondary` (missing or different), then scans
 * `secondary` for records `primary` lacks. Differences are checked again a moment later and only
 * those that remain are reported. `only`: just these records.
 */
export async function compareStores(
  kinds: readonly RecordKind[],
  primary: MoveAdapters,
  secondary: MoveAdapters,
  options: { batchSize: number; only?: readonly Touch[]; secondaryName: string; primaryName: string },
): Promise<Comparison> {
  const compared: Record<string, number> = {};
  const found: Mismatch[] = [];
  for (const kind of kinds) {
    const mine = adapterOf(primary, kind.name);
    const theirs = adapterOf(secondary, kind.name);
    compared[kind.name] = 0;
    const only = options.only?.filter((touch) => touch.kind === kind.name).flatMap((touch) => touch.ids);
    if (only) {
      found.push(...(await differences(kind.name, only, mine, theirs, options)));
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

async function recheck(kinds: readonly RecordKind[], found: Mismatch[], primary: MoveAdapters, secondary: MoveAdapters, names: { secondaryName: string; primaryName: string }): Promise<Mismatch[]> {
  await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
  const still: Mismatch[] = [];
  for (const kind of kinds) {
    const ids = [...new Set(found.filter((mismatch) => mismatch.kind === kind.name).map((mismatch) => mismatch.id))];
    if (ids.length > 0) still.push(...(await differences(kind.name, ids, adapterOf(primary, kind.name), adapterOf(secondary, kind.name), names)));
  }
  return still;
}

async function differences(kind: string, ids: readonly string[], mine: MoveAdapter, theirs: MoveAdapter, names: { secondaryName: string; primaryName: string }): Promise<Mismatch[]> {
  const [a, b] = await Promise.all([mine.get(ids), theirs.get(ids)]);
  const other = new Map(b.map((record) => [record.id, checksum(record)]));
  const result: Mismatch[] = [];
  for (const record of a) {
    const sum = other.get(record.id);
    if (sum === undefined) result.push({ kind, id: record.id, reason: `missing in ${names.secondaryName}` });
    else if (sum !== checksum(record)) result.push({ kind, id: record.id, reason: 'differs' });
    other.delete(record.id);
  }
  for (const id of other.keys()) result.push({ kind, id, reason: `missing in ${names.primaryName}` });
  return result;
}
