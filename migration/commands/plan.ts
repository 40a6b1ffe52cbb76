import type { Client } from 'pg';
import type { Progress } from '../../lib/progress';
import type { Connections } from '../connections';
import { ENTITIES, UNOWNED_TABLES } from '../entities';
import { countRows } from '../entities/keyset';
import { n, reasonKind, transformedBatches } from './stream';

export interface PlannedEntity {
  entity: string;
  label: string;
  from: string;
  to: string;
  rows: number;
  carry: number;
  /** Per reason: how many rows, a few example ids, and whether by rule (skipped) or unfit (rejected). */
  leftOut: { kind: 'skipped' | 'rejected'; reason: string; count: number; examples: string[] }[];
}

export interface Plan {
  entities: PlannedEntity[];
  unowned: { table: string; rows: number; why: string }[];
}

/**
 * A dry run: reads the whole source through the same transforms as `run` and writes nothing to the
 * source or to any store (the state database is only created, empty, if it was missing).
 */
export async function planMigration(connections: Connections, batchSize: number, progress: Progress): Promise<Plan> {
  const entities: PlannedEntity[] = [];
  for (const entity of ENTITIES) {
    const planned: PlannedEntity = { entity: entity.name, label: entity.label, from: entity.from, to: entity.to(connections.targets), rows: 0, carry: 0, leftOut: [] };
    const reasons = new Map<string, PlannedEntity['leftOut'][number]>();
    const task = progress.start(entity.label, await entity.count(connections.source));
    for await (const batch of transformedBatches(connections, entity, batchSize)) {
      planned.rows += batch.rows;
      for (const item of batch.outcomes) {
        if ('carry' in item) {
          planned.carry += 1;
          continue;
        }
        const kind = 'skip' in item ? 'skipped' : 'rejected';
        const reason = reasonKind('skip' in item ? item.skip : item.reject);
        const group = reasons.get(`${kind}:${reason}`) ?? { kind, reason, count: 0, examples: [] };
        group.count += 1;
        if (group.examples.length < 3) group.examples.push(item.id);
        reasons.set(`${kind}:${reason}`, group);
      }
      task.update(planned.rows);
    }
    task.finish(planned.rows);
    planned.leftOut = [...reasons.values()];
    entities.push(planned);
  }
  const unowned = await Promise.all(UNOWNED_TABLES.map(async ({ table, why }) => ({ table, why, rows: await countRows(connections.source as Client, table) })));
  return { entities, unowned };
}

export function formatPlan(plan: Plan): string {
  const lines = ['Plan (nothing has been changed):', ''];
  for (const entity of plan.entities) {
    lines.push(`${entity.from} → ${entity.to}`);
    lines.push(`  ${n(entity.rows)} rows: ${n(entity.carry)} to carry${entity.leftOut.length ? `, ${n(entity.rows - entity.carry)} not` : ''}`);
    for (const group of entity.leftOut) {
      lines.push(`  ${group.kind === 'skipped' ? 'skipped by rule' : 'cannot be carried'}: ${n(group.count)} (${group.reason}), e.g. ${group.examples.join(', ')}`);
    }
  }
  for (const table of plan.unowned) {
    lines.push(`${table.table} → not carried: ${n(table.rows)} rows (${table.why})`);
  }
  return lines.join('\n');
}
