import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** The PostgreSQL databases, each owned by one service, each with its schema in prisma/<name>/ (teams' and users' when TEAMS_STORE / USERS_STORE is postgresql). */
export const POSTGRES_DATABASES = ['projects', 'payments', 'profiles', 'teams', 'users'] as const;
export type PostgresDatabase = (typeof POSTGRES_DATABASES)[number];

export function migrationsDir(database: PostgresDatabase): string {
  return join(__dirname, database, 'migrations');
}

/** Prisma's own bookkeeping table, created exactly as `prisma migrate deploy` creates it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Same key Prisma Migrate takes, so this and `prisma migrate deploy` never run at once. */
const ADVISORY_LOCK_KEY = 72707369;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies the SQL migrations in Prisma's folder layout (migrations/<timestamp>_<name>/migration.sql)
 * and records them in `_prisma_migrations` with Prisma's checksum (SHA-256 of the file), so a
 * database migrated here is one `prisma migrate deploy` considers up to date, and the reverse.
 * This exists because Prisma's schema engine cannot be downloaded on every machine. Each migration
 * runs in its own transaction; a failed one is rolled back and stops the run.
 */
export async function applyMigrations(connectionString: string, database: PostgresDatabase): Promise<MigrationResult> {
  const dir = migrationsDir(database);
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((row) => [row.migration_name, row]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const name of names) {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(name);
      if (previous?.finished_at) {
        if (previous.checksum !== checksum) {
          throw new Error(`${database}: migration ${name} was changed after it was applied (checksum differs)`);
        }
        result.alreadyApplied.push(name);
        continue;
      }
      if (previous) throw new Error(`${database}: migration ${name} failed earlier and needs attention (see _prisma_migrations)`);
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`${database}: migration ${name} failed: ${(error as Error).message}`);
      }
      result.applied.push(name);
    }
    return result;
  } finally {
    await client.end();
  }
}

/** Creates `name` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      // Identifiers cannot be bound parameters; the name is checked to be a plain identifier.
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created by a concurrent caller in between: fine
      });
    }
  } finally {
    await client.end();
  }
}

/** The URL of another database on the same server as `url`. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates database `name` for `database`'s schema on the server of `adminUrl` and migrates it; returns its URL. */
export async function prepareDatabase(adminUrl: string, database: PostgresDatabase, name: string): Promise<string> {
  await ensureDatabase(adminUrl, name);
  const url = databaseUrl(adminUrl, name);
  await applyMigrations(url, database);
  return url;
}

/** What a PostgreSQL subgraph does at start (MIGRATE_ON_START): apply its pending migrations and say which. */
export async function migrateOnStart(
  connectionString: string,
  database: PostgresDatabase,
  logger: { info(message: string): void },
): Promise<void> {
  const { applied } = await applyMigrations(connectionString, database);
  if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
}
