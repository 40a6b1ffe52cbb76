import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CheckReport } from '../../integrity/check';
import { storesEnv } from '../../integrity/stores';
import type { ServiceDatabases } from '../../scripts/seed';

const ROOT = join(__dirname, '..', '..');

export interface IntegrityRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `integrity` command (its own process, its own clients) against a stack's stores. */
export async function runIntegrity(databases: ServiceDatabases, args: string[] = []): Promise<IntegrityRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'integrity', 'main.ts'), ...args], {
      cwd: ROOT,
      timeout: 120_000,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: join(ROOT, 'test', 'no-such-dir'), // never an npm start's stores.json
        ...storesEnv(databases),
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
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
