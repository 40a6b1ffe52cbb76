import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { generateLegacyDatabase, type GenerateResult } from '../../legacy/generateLegacyDatabase';
import { databaseUrl, ensureDatabase } from '../../prisma/migrate';
import type { ServiceDatabases } from '../../scripts/seed';
import { storesEnv } from '../../integrity/stores';

const ROOT = join(__dirname, '..', '..');

function server(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set (the jest global setup starts PostgreSQL)');
  return url;
}

/** A new, empty PostgreSQL database on the test server (for a legacy source or a migration state). */
export async function freshDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(server(), name);
  return databaseUrl(server(), name);
}

export async function dropDatabase(url: string): Promise<void> {
  const admin = new Client({ connectionString: server() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** A generated legacy shared database (legacy/), dirt included. */
export async function legacySource(users: number, seed = 7): Promise<{ url: string; generated: GenerateResult }> {
  const url = await freshDatabase('legacy');
  const generated = await generateLegacyDatabase({ target: url, users, seed, log: () => undefined });
  return { url, generated };
}

export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query<T>(text, params)).rows;
  } finally {
    await db.end();
  }
}

export interface MigrateRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function migrateEnv(stores: ServiceDatabases): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATA_DIR: join(ROOT, 'test', 'no-such-dir'), // never an npm start's stores.json
    ...storesEnv(stores),
  };
}

export const MIGRATE_ENTRY = join(ROOT, 'migration', 'main.ts');

/** Runs the real `migrate:legacy` command in its own process. */
export async function migrate(stores: ServiceDatabases, args: string[]): Promise<MigrateRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MIGRATE_ENTRY, ...args], {
      cwd: ROOT,
      timeout: 180_000,
      maxBuffer: 20_000_000,
      env: migrateEnv(stores),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
