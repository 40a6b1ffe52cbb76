import type { Progress } from '../../lib/progress';
import type { Connections } from '../connections';
import { ENTITIES } from '../entities';

/**
 * Removes from the targets exactly the records the state says the migration wrote (newest entity
 * first: a payment's history before the payment), then forgets everything. Nothing else in the
 * targets is touched; the source never is.
 */
export async function rollbackMigration(connections: Connections, batchSize: number, progress: Progress): Promise<{ entity: string; removed: number }[]> {
  const counts = await connections.state.counts();
  const removed: { entity: string; removed: number }[] = [];
  for (const entity of [...ENTITIES].reverse()) {
    const task = progress.start(`rollback ${entity.label}`, counts.get(entity.name)?.carried ?? 0);
    let done = 0;
    for (;;) {
      // Always from the start: each batch is forgotten once it is removed.
      const ids = await connections.state.carriedIds(entity.name, null, batchSize);
      if (ids.length === 0) break;
      await entity.remove(connections.targets, ids);
      await connections.state.forget(entity.name, ids);
      done += ids.length;
      task.update(done);
    }
    task.finish(done);
    removed.push({ entity: entity.label, removed: done });
  }
  await connections.state.reset();
  return removed;
}
