import type { Connections } from '../connections';
import { ENTITIES, UNOWNED_TABLES } from '../entities';
import { n } from './stream';

export interface EntityStats {
  entity: string;
  label: string;
  source: number;
  carried: number;
  skipped: number;
  rejected: number;
  /** Of the rows to carry (source minus those left out), how many are. */
  percent: number;
  pass: 'done' | 'in progress' | 'not started';
}

/** How far each entity has come, from the state and a count of the source. */
export async function migrationStats(connections: Connections): Promise<EntityStats[]> {
  const counts = await connections.state.counts();
  const checkpoints = await connections.state.checkpoints();
  return Promise.all(
    ENTITIES.map(async (entity) => {
      const source = await entity.count(connections.source);
      const count = counts.get(entity.name) ?? { carried: 0, skipped: 0, rejected: 0 };
      const toCarry = Math.max(source - count.skipped - count.rejected, 0);
      const checkpoint = checkpoints.get(entity.name);
      return {
        entity: entity.name,
        label: entity.label,
        source,
        ...count,
        percent: toCarry === 0 ? 100 : Math.min(100, Math.floor((1000 * count.carried) / toCarry) / 10),
        pass: checkpoint?.done ? 'done' : checkpoint?.after ? 'in progress' : 'not started',
      } satisfies EntityStats;
    }),
  );
}

export function formatStats(stats: readonly EntityStats[]): string {
  const lines = stats.map((s) => {
    const toCarry = Math.max(s.source - s.skipped - s.rejected, 0);
    const notes = [s.skipped ? `${n(s.skipped)} skipped by rule` : '', s.rejected ? `${n(s.rejected)} could not be carried` : '', s.pass === 'in progress' ? 'in progress' : ''].filter(Boolean);
    return `${`${s.label}:`.padEnd(28)} ${n(s.carried)} / ${n(toCarry)} (${s.percent}%)${notes.length ? `  [${notes.join(', ')}]` : ''}`;
  });
  for (const table of UNOWNED_TABLES) lines.push(`${`${table.table}:`.padEnd(28)} not carried (${table.why})`);
  return lines.join('\n');
}
