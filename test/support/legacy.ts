import { Client } from 'pg';
import { generateLegacyDatabase, type GenerateResult } from '../../legacy/generateLegacyDatabase';
import type { ServiceDatabases } from '../../scripts/seed';
import { dropDatabase, freshDatabase } from './stack';
import { runToolProcess, toolEntry, toolEnv, type ToolRun } from './tools';

export { dropDatabase, freshDatabase };

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

export const MIGRATE_ENTRY = toolEntry('migration/main.ts');
export const migrateEnv = toolEnv;

/** Runs the real `migrate:legacy` command in its own process. */
export function migrate(stores: ServiceDatabases, args: string[]): Promise<ToolRun> {
  return runToolProcess('migration/main.ts', args, stores);
}
