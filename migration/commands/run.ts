import type { Progress } from '../../lib/progress';
import type { Connections } from '../connections';
import { checksum, type Entity, type Outcome } from '../entity';
import { ENTITIES } from '../entities';

export interface EntityRun {
  entity: string;
  label: string;
  read: number;
  written: number;
  unchanged: number;
  skipped: number;
  rejected: number;
  /** Carried before, no longer in the source (or no longer carried by the rules): undone in the target. */
  vanished: number;
  seconds: number;
}

interface NotCarried {
  id: string;
  kind: 'skipped' | 'rejected';
  reason: string;
}

export interface RunOptions {
  batchSize: number;
  progress: Progress;
  /** Called after each batch is recorded (tests use it to pull a store out from under the run). */
  afterBatch?: (entity: string, batch: number) => Promise<void>;
}

/**
 * Carries every entity over, batch by batch. Per batch: read source rows after the checkpoint,
 * transform, compare with the checksums recorded before (unchanged rows are not written again),
 * announce new ids in the state, write the target, then record checksums, rows not carried and
 * the checkpoint in one state transaction. Killed at any point, the next run resumes from the
 * checkpoint; a complete run followed by another carries only what changed in the source since.
 */
export async function runMigration(connections: Connections, options: RunOptions): Promise<EntityRun[]> {
  const { state } = connections;
  const checkpoints = await state.checkpoints();
  const passDone = ENTITIES.every((entity) => checkpoints.get(entity.name)?.done);
  if (checkpoints.size === 0 || passDone || ENTITIES.some((entity) => !checkpoints.has(entity.name))) await state.startPass(ENTITIES.map((entity) => entity.name));
  const current = await state.checkpoints();
  const results: EntityRun[] = [];
  for (const entity of ENTITIES) {
    const checkpoint = current.get(entity.name)!;
    if (checkpoint.done) continue;
    results.push(await runEntity(connections, entity, checkpoint.after, options));
  }
  return results;
}

/**
 * At the end of a pass over an entity: what the migration carried before but this pass did not
 * find to carry is undone in the target by the entity's rule (a user deleted in the legacy system
 * is deleted here too, with user.deleted for the other services; an ended session is revoked; a
 * profile goes). Entities without a rule (financial records, history) keep their records.
 */
async function undoVanished(connections: Connections, entity: Entity, batchSize: number): Promise<number> {
  if (!entity.vanish) return 0;
  let total = 0;
  for (;;) {
    const ids = await connections.state.vanished(entity.name, batchSize);
    if (ids.length === 0) return total;
    await entity.vanish(connections.targets, ids);
    await connections.state.markVanished(entity.name, ids);
    total += ids.length;
  }
}

/** Ids among `items` whose record in the target no longer has the checksum recorded when it was written. */
async function changedInTarget(entity: Entity, connections: Connections, items: readonly { id: string }[], known: Map<string, string | null>): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const current = await entity.readBack(connections.targets, items.map((item) => item.id));
  return new Set(items.filter((item) => { const found = current.get(item.id); return !found || checksum(found) !== known.get(item.id); }).map((item) => item.id));
}

async function runEntity(connections: Connections, entity: Entity, resumeAfter: string | null, options: RunOptions): Promise<EntityRun> {
  const { state, source, targets } = connections;
  const result: EntityRun = { entity: entity.name, label: entity.label, read: 0, written: 0, unchanged: 0, skipped: 0, rejected: 0, vanished: 0, seconds: 0 };
  const started = Date.now();
  const task = options.progress.start(entity.label, await entity.count(source));
  let after = resumeAfter;
  for (let batch = 1; ; batch++) {
    const rows = await entity.read(source, after, options.batchSize);
    if (rows.length === 0) break;
    after = entity.key(rows.at(-1)!);
    result.read += rows.length;
    const outcomes = await entity.transform(rows, connections);
    const carry = outcomes.filter((item): item is Extract<Outcome, { carry: unknown }> => 'carry' in item);
    const known = await state.carried(entity.name, carry.map((item) => item.id));
    const changed = carry.filter((item) => known.get(item.id) !== item.checksum);
    const fresh = changed.filter((item) => !known.has(item.id));
    // A record carried before whose source changed is replaced only if the new system has left it
    // as the migration wrote it: one changed or deleted there since is the new system's now.
    const takenOver = await changedInTarget(entity, connections, changed.filter((item) => known.get(item.id)), known);
    const replace = changed.filter((item) => known.has(item.id) && !takenOver.has(item.id));
    await state.announce(entity.name, fresh.map((item) => item.id));
    const conflicts = new Set(
      await entity.write(targets, fresh.map((item) => item.carry), replace.map((item) => item.carry)).catch((error: Error) => {
        // The batch stays unrecorded (its new ids only announced): the next run writes it again.
        throw new Error(`writing ${entity.label.toLowerCase()} to the ${entity.to(targets)} failed after ${result.read - rows.length} rows: ${error.message}`);
      }),
    );
    const notCarried: NotCarried[] = [
      ...outcomes.flatMap((item): NotCarried[] => ('skip' in item ? [{ id: item.id, kind: 'skipped', reason: item.skip }] : 'reject' in item ? [{ id: item.id, kind: 'rejected', reason: item.reject }] : [])),
      ...[...conflicts].map((id): NotCarried => ({ id, kind: 'rejected', reason: 'a record with this id (or the same email) is already in the target and was not made by this migration: left as it is' })),
      ...[...takenOver].map((id): NotCarried => ({ id, kind: 'rejected', reason: 'changed in the source, but also changed or deleted in the new system since it was carried: the new system\'s version is kept' })),
    ];
    const written = changed.filter((item) => !conflicts.has(item.id) && !takenOver.has(item.id));
    await state.record(entity.name, written, notCarried, [...conflicts], carry.filter((item) => !conflicts.has(item.id)).map((item) => item.id), after);
    result.written += written.length;
    result.unchanged += carry.length - changed.length;
    result.skipped += notCarried.filter((item) => item.kind === 'skipped').length;
    result.rejected += notCarried.filter((item) => item.kind === 'rejected').length;
    task.update(result.read);
    await options.afterBatch?.(entity.name, batch);
  }
  result.vanished = await undoVanished(connections, entity, options.batchSize);
  await state.finish(entity.name);
  task.finish(result.read);
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
