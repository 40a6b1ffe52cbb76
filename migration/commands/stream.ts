import type { Connections } from '../connections';
import type { Entity, Outcome } from '../entity';

/** Every source row of an entity, transformed, a batch at a time (plan and verify read like run). */
export async function* transformedBatches(connections: Connections, entity: Entity, batchSize: number): AsyncGenerator<{ rows: number; last: string; outcomes: Outcome[] }> {
  let after: string | null = null;
  for (;;) {
    const rows = await entity.read(connections.source, after, batchSize);
    if (rows.length === 0) return;
    const last = entity.key(rows.at(-1)!);
    after = last;
    yield { rows: rows.length, last, outcomes: await entity.transform(rows, connections) };
  }
}

/** A reason without the ids in it, so rows left out for the same reason group together. */
export function reasonKind(reason: string): string {
  return reason.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…').replace(/\d+ characters/, 'N characters');
}

export const n = (value: number) => value.toLocaleString('en-US');
