import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoBinary, MongoMemoryServer } from 'mongodb-memory-server-core';
import { databaseUrl, ensureDatabase } from '../prisma/migrate';
import { startFerretDb } from './ferretdb';

/** Which MongoDB-compatible engine to start when no MONGO_URL is given. */
export const MONGO_ENGINES = ['auto', 'mongod', 'ferretdb'] as const;
export type MongoEngineChoice = (typeof MONGO_ENGINES)[number];

export interface MongoEngine {
  kind: 'mongod' | 'ferretdb';
  url: string;
  stop(): Promise<void>;
}

export interface MongoEngineOptions {
  dataDir: string;
  choice: MongoEngineChoice;
  /** A PostgreSQL server for FerretDB to store its data in (started on demand). */
  postgresAdminUrl: () => Promise<string>;
  ferretLogLevel: string;
  log: (message: string) => void;
}

/** The PostgreSQL database FerretDB keeps its documents in. */
const FERRETDB_DATABASE = 'ferretdb';

/**
 * A real `mongod` (mongodb-memory-server downloads it once, from MongoDB's servers) where that is
 * possible; FerretDB on PostgreSQL where it is not (no internet but the package registries).
 */
export async function startMongoEngine(options: MongoEngineOptions): Promise<MongoEngine> {
  if (options.choice !== 'ferretdb') {
    try {
      return await startMongod(join(options.dataDir, 'mongodb'));
    } catch (error) {
      if (options.choice === 'mongod') throw error;
      options.log(`no mongod available (${firstLine(error)}); using FerretDB`);
    }
  }
  const postgresAdminUrl = await options.postgresAdminUrl();
  await ensureDatabase(postgresAdminUrl, FERRETDB_DATABASE);
  const ferret = await startFerretDb(databaseUrl(postgresAdminUrl, FERRETDB_DATABASE), options.ferretLogLevel);
  return { kind: 'ferretdb', ...ferret };
}

async function startMongod(dbPath: string): Promise<MongoEngine> {
  // One download attempt: where MongoDB's servers cannot be reached, fail fast and fall back.
  process.env.MONGOMS_MAX_RETRIES ??= '0';
  // Find (or download) the binary first: this fails quietly, where create() would print a stack.
  await MongoBinary.getPath();
  mkdirSync(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({ instance: { dbPath, ip: '127.0.0.1', storageEngine: 'wiredTiger' } });
  return {
    kind: 'mongod',
    url: server.getUri(),
    // Keep dbPath: data survives a restart like the embedded PostgreSQL's.
    stop: async () => void (await server.stop({ doCleanup: false })),
  };
}

/** The error's message on one line, short enough for a log line. */
function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\s+/g, ' ').trim().slice(0, 200);
}
