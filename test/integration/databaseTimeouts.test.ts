import { Schema, type Connection } from 'mongoose';
import { freePort } from '../../engines/freePort';
import { connectMongo } from '../../lib/mongo';
import { createPrismaClient } from '../../lib/prisma';
import { isUnavailableError } from '../../lib/unavailable';
import { PrismaClient } from '../../prisma/payments/generated/client';
import type { ServiceDatabases } from '../../scripts/seed';
import { createDatabases, dropDatabases } from '../support/stack';

/**
 * The database bounds of lib/databaseTimeouts.ts on the real engines (embedded PostgreSQL and
 * the MongoDB engine of the run, FerretDB here), and that what they end in is recognised as
 * "unavailable" (lib/unavailable.ts) rather than as a bug.
 */
let databases: ServiceDatabases;

beforeAll(async () => {
  databases = await createDatabases();
});

afterAll(async () => {
  if (databases) await dropDatabases(databases);
});

async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected it to fail');
}

describe('PostgreSQL through Prisma', () => {
  test('a statement longer than the statement timeout is cancelled by the server at the bound', async () => {
    const db = createPrismaClient(PrismaClient, databases.paymentsUrl, { timeouts: { statementMs: 300, connectMs: 1_000 } });
    try {
      const { error, ms } = await failure(() => db.$queryRaw`SELECT pg_sleep(5)::text`);
      expect(isUnavailableError(error)).toBe(true);
      // Well before the 5 s sleep would end; the time includes the first connection, which a
      // loaded machine makes slow (2.5 s seen).
      expect(ms).toBeLessThan(4_000);
      // Statements within the bound are unaffected.
      expect(await db.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await db.$disconnect();
    }
  });

  test('an exhausted pool makes the extra statement wait at most the connect timeout', async () => {
    const db = createPrismaClient(PrismaClient, databases.paymentsUrl, { timeouts: { statementMs: 3_000, connectMs: 300 } });
    try {
      // pg's pool holds 10 connections by default: the eleventh waits for one.
      // (A Prisma query runs once something waits for it: `then` starts each one now.)
      const busy = Array.from({ length: 10 }, () => db.$queryRaw`SELECT pg_sleep(1.5)::text`.then((rows) => rows));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { error, ms } = await failure(() => db.$queryRaw`SELECT 1`);
      expect(isUnavailableError(error)).toBe(true);
      expect(ms).toBeLessThan(1_400);
      await Promise.all(busy);
    } finally {
      await db.$disconnect();
    }
  });

  test('a server that refuses connections is recognised as unavailable, at once', async () => {
    const url = new URL(databases.paymentsUrl);
    url.port = String(await freePort()); // nothing listens there
    const db = createPrismaClient(PrismaClient, url.toString(), { timeouts: { statementMs: 1_000, connectMs: 1_000 } });
    try {
      const { error, ms } = await failure(() => db.payment.findMany({ take: 1 }));
      expect(isUnavailableError(error)).toBe(true);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await db.$disconnect();
    }
  });

  test('a bug is not mistaken for an outage', async () => {
    const db = createPrismaClient(PrismaClient, databases.paymentsUrl, { timeouts: { statementMs: 1_000, connectMs: 1_000 } });
    try {
      const { error } = await failure(() => db.$queryRawUnsafe('SELECT * FROM no_such_table'));
      expect(isUnavailableError(error)).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});

describe('MongoDB (FerretDB in this environment)', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await connectMongo(databases.mongoUrl, databases.usersDatabase, { timeouts: { statementMs: 50, connectMs: 1_000 } });
    const docs = Array.from({ length: 20_000 }, (_, i) => ({ _id: `doc-${i}`, text: `some text ${i} `.repeat(20) }));
    for (let i = 0; i < docs.length; i += 2_000) await connection.collection('scan').insertMany(docs.slice(i, i + 2_000) as never[]);
  }, 60_000);

  afterAll(async () => {
    await connection?.close();
  });

  test('a query longer than maxTimeMS is cut off by the server (MaxTimeMSExpired: FerretDB honours it)', async () => {
    const model = connection.model('Scan', new Schema({ _id: String, text: String }), 'scan');
    const { error, ms } = await failure(() => model.find({ text: { $regex: 'never there' } }).lean().exec());
    expect((error as { code?: unknown }).code).toBe(50);
    expect(isUnavailableError(error)).toBe(true);
    expect(ms).toBeLessThan(1_000);
  });

  test('a server that cannot be reached is recognised as unavailable within the connect timeout', async () => {
    const url = `mongodb://127.0.0.1:${await freePort()}/`;
    const { error, ms } = await failure(() => connectMongo(url, 'nowhere', { timeouts: { statementMs: 1_000, connectMs: 500 } }));
    expect(isUnavailableError(error)).toBe(true);
    expect(ms).toBeLessThan(2_500);
  });
});
