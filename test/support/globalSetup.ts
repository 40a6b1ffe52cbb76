import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoEngineChoice } from '../../engines/mongo';
import { startEngines, type Engines } from '../../engines/startEngines';
import type { Config } from '@jest/types';
import { ensureSystemTools, MissingSystemTools } from '../../scripts/systemTools';
import { startRabbitMq, type RabbitMqServer } from './rabbitmq';
import { runNeeds } from './runNeeds';

declare global {
  // Shared with globalTeardown (same process).
  var __ENGINES__: { engines: Engines; dir: string } | undefined;
  var __RABBITMQ__: { server: RabbitMqServer; dir: string } | undefined;
}

/**
 * Prepares what the selected test files need (./runNeeds.ts), and nothing more: a run of
 * test/unit alone starts nothing. First the system packages (scripts/systemTools.ts): installed
 * once where this process may (root with apt-get), otherwise the run stops here with one message
 * naming what is missing and how to get it. Then the real engines, once per run, in a temporary
 * directory: an embedded PostgreSQL, and mongod or FerretDB (engines/mongo.ts; MONGO_ENGINE
 * chooses), unless TEST_POSTGRES_URL and TEST_MONGO_URL point at servers already running. Test
 * files reach them through those two variables; each file makes databases of its own. Likewise a
 * RabbitMQ node of its own (./rabbitmq.ts) for the files that use one, unless TEST_AMQP_URL is
 * given, started alongside.
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  const needs = runNeeds(globalConfig.rootDir, globalConfig.testPathPattern);
  try {
    ensureSystemTools(needs.tools, (message) => process.stderr.write(`[prerequisites] ${message}\n`));
  } catch (error) {
    if (!(error instanceof MissingSystemTools)) throw error;
    process.stderr.write(`\n[prerequisites] ${error.message}\nNo test was run.\n`);
    process.exit(1);
  }
  const rabbitMq = needs.rabbitMq ? startTestRabbitMq() : Promise.resolve();
  try {
    if (needs.engines) await startTestEngines();
  } catch (error) {
    await rabbitMq;
    await globalThis.__RABBITMQ__?.server.stop(); // jest runs no teardown after a failed setup
    throw error;
  }
  await rabbitMq;
}

async function startTestRabbitMq(): Promise<void> {
  if (process.env.TEST_AMQP_URL) return;
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-rabbitmq-'));
  try {
    const server = await startRabbitMq(dir);
    globalThis.__RABBITMQ__ = { server, dir };
    process.env.TEST_AMQP_URL = server.url;
    process.stderr.write(`[engines] RabbitMQ ${server.node} listening after ${server.startedInMs} ms\n`);
  } catch (error) {
    // Reported by the tests that need the broker, not by failing the whole run.
    process.env.TEST_AMQP_MISSING = `RabbitMQ did not start: ${(error as Error).message}`;
  }
}

async function startTestEngines(): Promise<void> {
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
