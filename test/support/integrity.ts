import type { CheckReport } from '../../integrity/check';
import type { ServiceDatabases } from '../../scripts/seed';
import { runToolProcess, type ToolRun } from './tools';

/** Runs the real `integrity` command (its own process, its own clients) against a stack's stores. */
export function runIntegrity(databases: ServiceDatabases, args: string[] = []): Promise<ToolRun> {
  return runToolProcess('integrity/main.ts', args, databases, 120_000);
}

export interface IntegrityJson {
  found: CheckReport[];
  left?: CheckReport[];
  orphansLeft: number;
}

export async function integrityJson(databases: ServiceDatabases, args: string[] = []): Promise<IntegrityJson & { code: number }> {
  const run = await runIntegrity(databases, ['--json', ...args]);
  if (run.code > 1) throw new Error(`integrity failed (exit ${run.code}): ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as IntegrityJson), code: run.code };
}

/** Orphans per check, only those with any. */
export function orphanCounts(reports: readonly CheckReport[]): Record<string, number> {
  return Object.fromEntries(reports.filter((report) => report.orphans > 0).map((report) => [report.name, report.orphans]));
}
