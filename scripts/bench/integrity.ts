import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { connectMongo } from '../../lib/mongo';
import { storesEnv } from '../storesConfig';
import type { ServiceDatabases } from '../seed';
import { startBenchEngines } from './benchEngines';
import { measureProcess } from './measureProcess';

/**
 * `npm run bench:integrity [-- --rows N]`: fills fresh stores with N projects, N versions, N payments
 * (and N/4 users, N/4 profiles, N/20 teams of 3), one reference in a thousand dangling, runs
 * `npm run integrity` on them at N and 4N rows, and prints rows/s and the process's peak memory:
 * streaming means the peak stays about the same while the stores grow.
 */
const { values } = parseArgs({ options: { rows: { type: 'string', default: '20000' } } });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 100) throw new Error(`--rows must be a whole number of at least 100, not "${values.rows}"`);

/** Deterministic user ids, the same in MongoDB and in SQL. */
const userId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const SQL_USER_ID = (expression: string) => `('00000000-0000-4000-8000-' || lpad(to_hex(${expression}), 12, '0'))::uuid`;

async function seed(databases: ServiceDatabases, n: number): Promise<void> {
  const users = Math.max(1, Math.floor(n / 4));
  const teams = Math.max(1, Math.floor(n / 20));
  const mongo = await connectMongo(databases.mongoUrl, databases.usersDatabase);
  for (let start = 1; start <= users; start += 1000) {
    const docs = Array.from({ length: Math.min(1000, users - start + 1) }, (_, k) => ({
      _id: userId(start + k), email: `u${start + k}@bench.test`, name: `User ${start + k}`, role: 'CUSTOMER', emailVerified: false, createdAt: new Date(), updatedAt: new Date(),
    }));
    await mongo.collection('users').insertMany(docs as never[]);
  }
  await mongo.close();
  const teamsDb = await connectMongo(databases.mongoUrl, databases.teamsDatabase);
  for (let start = 1; start <= teams; start += 1000) {
    const docs = Array.from({ length: Math.min(1000, teams - start + 1) }, (_, k) => {
      const t = start + k;
      // One team in a thousand has a member who is not a user.
      const members = [0, 1, 2].map((m) => ({ userId: userId(t % 1000 === 0 && m === 2 ? users + t : ((t * 3 + m) % users) + 1), role: m === 0 ? 'OWNER' : 'MEMBER', joinedAt: new Date() }));
      return { _id: `10000000-0000-4000-8000-${t.toString(16).padStart(12, '0')}`, name: `Team ${t}`, members, revision: 0, createdAt: new Date(), updatedAt: new Date() };
    });
    await teamsDb.collection('teams').insertMany(docs as never[]);
  }
  await teamsDb.close();
  // Every thousandth row points at a user that does not exist.
  const owner = (g: string) => SQL_USER_ID(`CASE WHEN ${g} % 1000 = 0 THEN ${users} + ${g} ELSE (${g} % ${users}) + 1 END`);
  const sql = async (url: string, statements: string[]) => {
    const db = new Client({ connectionString: url });
    await db.connect();
    for (const statement of statements) await db.query(statement);
    await db.end();
  };
  await sql(databases.projectsUrl, [
    `INSERT INTO projects (id, name, type, owner_id) SELECT gen_random_uuid(), 'p' || g, 'GRAPHQL', ${owner('g')} FROM generate_series(1, ${n}) g`,
    `INSERT INTO project_versions (id, project_id, number, document, author_id)
       SELECT gen_random_uuid(), id, 1, '{}'::jsonb, owner_id FROM projects`,
  ]);
  await sql(databases.paymentsUrl, [
    `INSERT INTO payments (id, sender_id, recipient_id, amount, currency)
       SELECT gen_random_uuid(), ${owner('g')}, ${SQL_USER_ID(`((g + 1) % ${users}) + 1`)}, 1.00, 'EUR' FROM generate_series(1, ${n}) g`,
  ]);
  await sql(databases.profilesUrl, [
    `INSERT INTO user_profiles (id, user_id) SELECT gen_random_uuid(), ${owner('g')} FROM generate_series(1, ${users}) g`,
  ]);
}

async function main(): Promise<void> {
  const say = (message: string) => process.stdout.write(`${message}\n`);
  const engines = await startBenchEngines((message) => say(`[engines] ${message}`));
  try {
    const results: { n: number; references: number; seconds: number; peakRssMb: number; orphans: number }[] = [];
    for (const n of [rows, rows * 4]) {
      const databases = await engines.freshDatabases();
      say(`seeding ${n.toLocaleString('en-US')} projects, versions and payments...`);
      await seed(databases, n);
      const run = await measureProcess('integrity/main.ts', ['--json'], storesEnv(databases));
      if (run.code !== 0 && run.code !== 1) throw new Error(`integrity failed (${run.code}): ${run.stderr}`);
      const report = JSON.parse(run.stdout) as { found: { references: number; orphans: number }[] };
      const references = report.found.reduce((sum, check) => sum + check.references, 0);
      const orphans = report.found.reduce((sum, check) => sum + check.orphans, 0);
      results.push({ n, references, seconds: run.seconds, peakRssMb: run.peakRssMb, orphans });
    }
    say('\nintegrity check (default batch size), one process per run:');
    for (const r of results) {
      say(`  ${r.references.toLocaleString('en-US').padStart(9)} references  ${r.seconds.toFixed(1).padStart(6)} s  ${Math.round(r.references / r.seconds).toLocaleString('en-US').padStart(7)} refs/s  peak RSS ${r.peakRssMb.toFixed(0)} MiB  (${r.orphans} orphans found)`);
    }
    const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
    say(`  stores ${(large.references / small.references).toFixed(1)}x larger -> peak memory ${(large.peakRssMb / small.peakRssMb).toFixed(2)}x`);
  } finally {
    await engines.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:integrity failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
