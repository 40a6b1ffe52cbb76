import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startMongoEngine, type MongoEngineChoice } from './mongo';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from './postgres';

export interface EngineOptions {
  /** Where embedded engines keep their data. */
  dataDir: string;
  /** A PostgreSQL server to use; an embedded one is started when this is missing and one is needed. */
  postgresUrl?: string;
  /** Start a PostgreSQL for the three service databases even when FerretDB does not need one. */
  needPostgres: boolean;
  /** Start a MongoDB-compatible engine (no MONGO_URL given). */
  needMongo: boolean;
  mongoEngine: MongoEngineChoice;
  /** FerretDB's own log level; above ERROR it is quiet (it logs every refused command at ERROR). */
  ferretLogLevel: string;
  log: (message: string) => void;
}

export interface Engines {
  /** Maintenance URL of the PostgreSQL server (given or embedded), if one is in use. */
  postgresAdminUrl?: string;
  /** Connection string of the MongoDB-compatible engine started, if one was. */
  mongoUrl?: string;
  stop(): Promise<void>;
}

/**
 * Starts what is missing: an embedded PostgreSQL (data under `dataDir/postgres`) and a real mongod
 * or FerretDB (see ./mongo.ts). Stops, in reverse order, whatever it started.
 */
export async function startEngines(options: EngineOptions): Promise<Engines> {
  mkdirSync(options.dataDir, { recursive: true });
  let embedded: EmbeddedPostgresServer | null = null;
  const stops: (() => Promise<void>)[] = [];
  const postgresAdminUrl = async () => {
    if (options.postgresUrl) return options.postgresUrl;
    if (!embedded) {
      options.log(`starting embedded PostgreSQL (data in ${options.dataDir})`);
      embedded = await startEmbeddedPostgres(join(options.dataDir, 'postgres'));
      const started = embedded;
      stops.unshift(() => started.stop());
    }
    return embedded.adminUrl;
  };
  const stop = async () => {
    for (const step of stops) await step();
  };
  try {
    const engines: Engines = { stop };
    if (options.needPostgres) engines.postgresAdminUrl = await postgresAdminUrl();
    if (options.needMongo) {
      const mongo = await startMongoEngine({ ...options, choice: options.mongoEngine, postgresAdminUrl });
      options.log(`MongoDB engine: ${mongo.kind}`);
      stops.unshift(() => mongo.stop());
      engines.mongoUrl = mongo.url;
    }
    return engines;
  } catch (error) {
    await stop();
    throw error;
  }
}
