import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoEngineChoice } from '../../engines/mongo';
import { startEngines, type Engines } from '../../engines/startEngines';

declare global {
  // Shared with globalTeardown (same process).
  var __ENGINES__: { engines: Engines; dir: string } | undefined;
}

/**
 * Starts the real engines once per test run, in a temporary directory: an embedded PostgreSQL,
 * and mongod or FerretDB (engines/mongo.ts; MONGO_ENGINE chooses), unless TEST_POSTGRES_URL and
 * TEST_MONGO_URL point at servers already running. Test files reach them through those two
 * variables; each file makes databases of its own.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_POSTGRES_URL && process.env.TEST_MONGO_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-test-'));
  chmodSync(dir, 0o755); // mkdtemp makes it 0700; as root, PostgreSQL runs as `postgres` and must get in
  const engines = await startEngines({
    dataDir: dir,
    postgresUrl: process.env.TEST_POSTGRES_URL,
    needPostgres: true,
    needMongo: !process.env.TEST_MONGO_URL,
    mongoEngine: (process.env.MONGO_ENGINE as MongoEngineChoice | undefined) ?? 'auto',
    ferretLogLevel: process.env.FERRETDB_LOG_LEVEL ?? 'ERROR+4',
    log: (message) => process.stderr.write(`[engines] ${message}\n`),
  });
  globalThis.__ENGINES__ = { engines, dir };
  process.env.TEST_POSTGRES_URL = engines.postgresAdminUrl;
  process.env.TEST_MONGO_URL ??= engines.mongoUrl;
}
