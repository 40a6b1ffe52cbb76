import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServiceDatabases } from '../../scripts/seed';
import { storesEnv } from '../../scripts/storesConfig';

const ROOT = join(__dirname, '..', '..');

/** An operator tool's entry point (e.g. "integrity/main.ts"), for running it as its own process. */
export const toolEntry = (path: string) => join(ROOT, path);

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a tool run by a test gets: only the stores, never an npm start's stores.json. */
export function toolEnv(stores: ServiceDatabases): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, DATA_DIR: join(ROOT, 'test', 'no-such-dir'), ...storesEnv(stores) };
}

/** Runs a real operator tool (its own process, its own clients) against a test's stores. */
export async function runToolProcess(entry: string, args: string[], stores: ServiceDatabases, timeoutMs = 180_000): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', toolEntry(entry), ...args], {
      cwd: ROOT,
      timeout: timeoutMs,
      maxBuffer: 20_000_000,
      env: toolEnv(stores),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
