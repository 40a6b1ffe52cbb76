import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { databaseUrl, ensureDatabase } from '../prisma/migrate';
import { startFerretDb } from './ferretdb';
import { startEmbeddedPostgres } from './postgres';

export interface Engines {
  /** Maintenance URL of the PostgreSQL server hosting the three service databases. */
  postgresAdminUrl: string;
  /** MongoDB connection string (FerretDB here) hosting the users and teams databases. */
  mongoUrl: string;
  stop(): Promise<void>;
}

/**
 * FerretDB logs every refused client command (a duplicate key, say) at ERROR, which the services
 * already report properly; above ERROR it is silent. FERRETDB_LOG_LEVEL (e.g. "warn") brings it back.
 */
const QUIET = process.env.FERRETDB_LOG_LEVEL ?? 'ERROR+4';

/** The PostgreSQL database FerretDB keeps its documents in. */
const FERRETDB_DATABASE = 'ferretdb';

/**
 * Starts the engines the product needs on a machine that has none: an embedded PostgreSQL with its
 * data under `dataDir`, and FerretDB (MongoDB protocol) storing its data in that same PostgreSQL.
 */
export async function startEngines(dataDir: string, ferretLogLevel = QUIET): Promise<Engines> {
  mkdirSync(dataDir, { recursive: true });
  const postgres = await startEmbeddedPostgres(join(dataDir, 'postgres'));
  try {
    await ensureDatabase(postgres.adminUrl, FERRETDB_DATABASE);
    const ferret = await startFerretDb(databaseUrl(postgres.adminUrl, FERRETDB_DATABASE), ferretLogLevel);
    return {
      postgresAdminUrl: postgres.adminUrl,
      mongoUrl: ferret.url,
      stop: async () => {
        await ferret.stop();
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
