import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { NO_PROGRESS } from '../../lib/progress';
import { openConnections } from '../../migration/connections';
import { runMigration } from '../../migration/commands/run';
import { verifiedOk, verifyMigration } from '../../migration/commands/verify';
import type { ServiceDatabases } from '../../scripts/seed';
import { eventually } from '../support/eventually';
import { dropDatabase, freshDatabase, legacySource, migrate, MIGRATE_ENTRY, migrateEnv, sql } from '../support/legacy';
import { createDatabases, dropDatabases } from '../support/stack';

/**
 * The migration's faults, against real stores: killed mid-run and resumed (the same end state as
 * an uninterrupted run, verified), and a target store going away mid-run (a clear error, no batch
 * written but unrecorded, the next run completes).
 */
let source: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ url: source } = await legacySource(300, 11));
  cleanups.push(() => dropDatabase(source));
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function target(): Promise<{ stores: ServiceDatabases; state: string }> {
  const stores = await createDatabases();
  const state = await freshDatabase('migration_state');
  cleanups.push(() => dropDatabases(stores), () => dropDatabase(state));
  return { stores, state };
}

const carriedCount = async (state: string) => {
  try {
    return Number((await sql<{ n: string }>(state, 'SELECT count(*) AS n FROM legacy_migration.carried WHERE checksum IS NOT NULL'))[0]!.n);
  } catch {
    return 0; // the state's tables are not there yet
  }
};

async function targetCounts(stores: ServiceDatabases): Promise<Record<string, number>> {
  const count = async (url: string, table: string) => Number((await sql<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
  return {
    payments: await count(stores.paymentsUrl, 'payments'),
    transactions: await count(stores.paymentsUrl, 'payment_transactions'),
    profiles: await count(stores.profilesUrl, 'user_profiles'),
  };
}

test('killed mid-run and resumed: the same end state as an uninterrupted run, verified', async () => {
  const whole = await target();
  expect((await migrate(whole.stores, ['run', '--source', source, '--state', whole.state, '--quiet'])).code).toBe(0);

  const interrupted = await target();
  const child = spawn(process.execPath, ['--import', 'tsx', MIGRATE_ENTRY, 'run', '--source', source, '--state', interrupted.state, '--batch-size', '20', '--quiet'], {
    env: migrateEnv(interrupted.stores),
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? null : code)));
  // Partway through (some hundreds of the ~3,300 rows recorded), the process is killed outright.
  const seen = await eventually(() => carriedCount(interrupted.state), (n) => n >= 400, 60_000, 50);
  child.kill('SIGKILL');
  expect(await exited).toBeNull();
  expect(seen).toBeGreaterThanOrEqual(400);
  const total = await carriedCount(whole.state);
  expect(await carriedCount(interrupted.state)).toBeLessThan(total);

  const resumed = await migrate(interrupted.stores, ['run', '--source', source, '--state', interrupted.state, '--quiet']);
  expect(resumed.code).toBe(0);
  const verify = await migrate(interrupted.stores, ['verify', '--source', source, '--state', interrupted.state, '--quiet']);
  expect(verify.code).toBe(0);
  expect(await carriedCount(interrupted.state)).toBe(total);
  expect(await targetCounts(interrupted.stores)).toEqual(await targetCounts(whole.stores));
  // The resumed run did not start over: it wrote fewer rows than the whole source.
  const written = [...resumed.stdout.matchAll(/(\d[\d,]*) written/g)].reduce((sum, match) => sum + Number(match[1]!.replace(/,/g, '')), 0);
  expect(written).toBeLessThan(total);
}, 240_000);

test('a target store going away mid-run: a clear error, nothing written but unrecorded, the next run completes', async () => {
  const { stores, state } = await target();
  const paymentsDb = new URL(stores.paymentsUrl).pathname.slice(1);
  const admin = new Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await admin.connect();
  cleanups.push(async () => {
    await admin.query(`ALTER DATABASE "${paymentsDb}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
  });

  const first = await openConnections(source, stores, state);
  const failure = await runMigration(first, {
    batchSize: 50,
    progress: NO_PROGRESS,
    afterBatch: async (entity, batch) => {
      if (entity !== 'payments' || batch !== 3) return;
      // The payments database goes away: no new connections, and the migration's is cut.
      await admin.query(`ALTER DATABASE "${paymentsDb}" ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [paymentsDb]);
    },
  }).then(
    () => null,
    (error: Error) => error,
  );
  await first.close();
  expect(failure?.message).toMatch(/^writing payments to the payments service \(PostgreSQL payments\) failed after 150 rows: /);

  // Every payment recorded as carried is in the target, and every one in the target is recorded
  // (at least announced), so nothing is lost track of.
  await admin.query(`ALTER DATABASE "${paymentsDb}" ALLOW_CONNECTIONS true`);
  const inTarget = (await sql<{ id: string }>(stores.paymentsUrl, 'SELECT id::text AS id FROM payments')).map((row) => row.id).sort();
  const recorded = (await sql<{ id: string }>(state, `SELECT id FROM legacy_migration.carried WHERE entity = 'payments' AND checksum IS NOT NULL`)).map((row) => row.id).sort();
  const announced = (await sql<{ id: string }>(state, `SELECT id FROM legacy_migration.carried WHERE entity = 'payments'`)).map((row) => row.id);
  expect(recorded).toEqual(inTarget);
  expect(recorded).toHaveLength(150);
  expect(inTarget.every((id) => announced.includes(id))).toBe(true);

  const second = await openConnections(source, stores, state);
  try {
    const results = await runMigration(second, { batchSize: 50, progress: NO_PROGRESS });
    // Resumed at payments (accounts were done), from its checkpoint.
    expect(results.map((r) => r.entity)).toEqual(['payments', 'paymentTransactions', 'profiles', 'auditLogs']);
    expect(verifiedOk(await verifyMigration(second, 500, NO_PROGRESS))).toBe(true);
  } finally {
    await second.close();
  }
}, 240_000);
