import type { Progress } from '../progress';
import { adapterOf } from './copyTouched';
import { MAX_LISTED, type KindProgress, type MoveAdapters, type MoveState, type RecordKind, type StoreEngine } from './types';

export interface BackfillOptions {
  batchSize: number;
  progress: Progress;
  /** Saves the state after each batch (its checkpoint); throws when another command saved meanwhile. */
  save(next: MoveState): Promise<MoveState>;
}

/**
 * Copies every record of every kind from the move's source to its target in keyset batches (id
 * order), saving the last id copied after each batch: killed, the next run resumes after it.
 * Records go in with putIfNewer, so a record a dual write carried since is never overwritten by
 * the older state the backfill read. Records the target cannot hold are skipped and listed.
 */
export async function backfill(
  initial: MoveState,
  kinds: readonly RecordKind[],
  adapters: Readonly<Record<StoreEngine, MoveAdapters>>,
  options: BackfillOptions,
): Promise<MoveState> {
  let state = initial;
  for (const kind of kinds) {
    const source = adapterOf(adapters[state.from], kind.name);
    const target = adapterOf(adapters[state.to], kind.name);
    let progress: KindProgress = state.backfill[kind.name] ?? { after: null, copied: 0, skipped: 0, total: 0, done: false };
    if (progress.done) continue;
    if (progress.after === null) progress = { ...progress, total: await source.count() };
    const task = options.progress.start(`backfill ${kind.name}`, progress.total);
    task.update(progress.copied + progress.skipped);
    for (;;) {
      const batch = await source.scan(progress.after, options.batchSize);
      if (batch.length === 0) break;
      const skipped = batch.flatMap((record) => {
        const reason = kind.unmappable(record, state.to);
        return reason ? [{ kind: kind.name, id: record.id, reason }] : [];
      });
      const skippedIds = new Set(skipped.map((mismatch) => mismatch.id));
      await target.putIfNewer(batch.filter((record) => !skippedIds.has(record.id)));
      progress = { ...progress, after: batch[batch.length - 1]!.id, copied: progress.copied + batch.length - skipped.length, skipped: progress.skipped + skipped.length };
      state = await options.save({ ...state, backfill: { ...state.backfill, [kind.name]: progress }, skipped: [...state.skipped, ...skipped].slice(0, MAX_LISTED) });
      task.update(progress.copied + progress.skipped);
    }
    progress = { ...progress, done: true };
    state = await options.save({ ...state, backfill: { ...state.backfill, [kind.name]: progress } });
    task.finish(progress.copied + progress.skipped);
  }
  return state;
}

/** Whether every kind's backfill has run to its end. */
export function backfillDone(state: MoveState, kinds: readonly RecordKind[]): boolean {
  return kinds.every((kind) => state.backfill[kind.name]?.done === true);
}
