import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoEngineChoice } from '../../engines/mongo';
import { startEngines, type Engines } from '../../engines/startEngines';
import { rabbitMqInstalled, startRabbitMq, type RabbitMqServer } from './rabbitmq';

declare global {
  // Shared with globalTeardown (same process).
  var __ENGINES__: { engines: Engines; dir: string } | undefined;
  var __RABBITMQ__: { server: RabbitMqServer; dir: string } | undefined;
}

/**
 * Starts the real engines once per test run, in a temporary directory: an embedded PostgreSQL,
 * and mongod or FerretDB (engines/mongo.ts; MONGO_ENGINE chooses), unless TEST_POSTGRES_URL and
 * TEST_MONGO_URL point at servers already running. Test files reach them through those two
 * variables; each file makes databases of its own. Likewise a RabbitMQ node of its own
 * (./rabbitmq.ts) unless TEST_AMQP_URL is given, started alongside; where rabbitmq-server is not
 * installed the tests that need it fail saying so (TEST_AMQP_MISSING).
 */
export default async function globalSetup(): Promise<void> {
  const rabbitMq = startTestRabbitMq();
  try {
    await startTestEngines();
  } catch (error) {
    await rabbitMq;
    await globalThis.__RABBITMQ__?.server.stop(); // jest runs no teardown after a failed setup
    throw error;
  }
  await rabbitMq;
}

async function startTestRabbitMq(): Promise<void> {
  if (process.env.TEST_AMQP_URL) return;
  if (!rabbitMqInstalled()) return;
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
