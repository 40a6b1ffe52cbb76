import { checksum } from './checksum';
import type { MoveStateStore } from './MoveStateStore';
import type { Mismatch, MoveAdapter } from './types';

/**
 * The waits (ms) before each further look at a difference, growing: a record that differs only
 * while its writes are being mirrored agrees again within the dual-write lag (up to 1.4 s seen on
 * a loaded machine), one that really differs goes on differing. About 4 s in all.
 */
const WAITS_MS = [250, 500, 1000, 2000];

export interface Sides {
  kind: string;
  primary: MoveAdapter;
  secondary: MoveAdapter;
  primaryName: string;
  secondaryName: string;
}

/**
 * Which of `ids` really differ between the stores. Under live writes a record can differ for a
 * moment (its write is journaled, written to the primary, not yet mirrored), so each round reads
 * the primary, then the journal, then the secondary: a record with an intent in flight at that
 * point is not a mismatch in that round. Only a record that differs in every round, never with a
 * write in flight, is reported.
 */
export async function stillDiffering(sides: Sides, ids: readonly string[], journal: { store: MoveStateStore; service: string } | null): Promise<Mismatch[]> {
  let suspects = [...new Set(ids)];
  let last: Mismatch[] = [];
  for (let round = 0; round <= WAITS_MS.length && suspects.length > 0; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, WAITS_MS[round - 1]));
    const mine = await sides.primary.get(suspects);
    const inFlight = journal ? await touchedInFlight(journal.store, journal.service, sides.kind) : new Set<string>();
    const theirs = new Map((await sides.secondary.get(suspects)).map((record) => [record.id, checksum(record)]));
    last = [];
    for (const record of mine) {
      const sum = theirs.get(record.id);
      theirs.delete(record.id);
      if (inFlight.has(record.id)) continue;
      if (sum === undefined) last.push({ kind: sides.kind, id: record.id, reason: `missing in ${sides.secondaryName}` });
      else if (sum !== checksum(record)) last.push({ kind: sides.kind, id: record.id, reason: 'differs' });
    }
    for (const id of theirs.keys()) if (!inFlight.has(id)) last.push({ kind: sides.kind, id, reason: `missing in ${sides.primaryName}` });
    suspects = last.map((mismatch) => mismatch.id);
  }
  return last;
}

async function touchedInFlight(store: MoveStateStore, service: string, kind: string): Promise<Set<string>> {
  const intents = await store.intents(service, new Date(Date.now() + 60_000), 1000);
  return new Set(intents.flatMap((intent) => intent.touches.filter((touch) => touch.kind === kind).flatMap((touch) => touch.ids)));
}
