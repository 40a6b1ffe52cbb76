import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { prepareDatabase } from '../../prisma/migrate';
import { createUser } from '../../test/support/fixtures';
import { startStack } from '../../test/support/stack';
import { moveTeamsOk, TeamsLoad } from '../../test/support/teamsMove';
import { startBenchEngines } from './benchEngines';
import { measureProcess } from './measureProcess';

/**
 * `npm run bench:move-store [-- --teams N]`: (1) the backfill of `move-store teams start --to
 * postgresql` at N and 4N teams (3 members each) seeded in MongoDB: rows/s and the command's peak
 * memory; (2) the whole product in this process (startStack) with teams following moves, four
 * signed-in users reading dashboards and writing teams: client p99 during a move (start, verify,
 * switch) divided by p99 before it (goal ≤ 1.5), and the longest write pause at the switch (goal
 * < 1 s). Engines: BENCH_POSTGRES_URL / BENCH_MONGO_URL, else embedded ones.
 */
const { values } = parseArgs({ options: { teams: { type: 'string', default: '5000' } } });
const N = Number(values.teams);
if (!Number.isInteger(N) || N < 100) throw new Error(`--teams must be a whole number of at least 100, not "${values.teams}"`);

const log = (message: string) => process.stderr.write(`${message}\n`);
const id = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

async function backfillAt(engines: { mongoUrl: string; postgresAdminUrl: string }, teams: number) {
  const suffix = randomBytes(4).toString('hex');
  const database = `bench_move_${suffix}`;
  const databaseUrl = await prepareDatabase(engines.postgresAdminUrl, 'teams', `bench_move_${suffix}`);
  const mongo = await connectMongo(engines.mongoUrl, database);
  try {
    for (let start = 0; start < teams; start += 1000) {
      const now = new Date();
      const docs = Array.from({ length: Math.min(1000, teams - start) }, (_, k) => ({
        _id: id('10000000', start + k),
        name: `Team ${start + k}`,
        members: [0, 1, 2].map((m) => ({ userId: id('00000000', (start + k) * 3 + m), role: m === 0 ? 'OWNER' : 'MEMBER', joinedAt: now })),
        revision: 0,
        createdAt: now,
        updatedAt: now,
      }));
      await mongo.collection('teams').insertMany(docs as never[]);
    }
    const measured = await measureProcess('moveStore/main.ts', ['teams', 'start', '--to', 'postgresql', '--quiet'], {
      TEAMS_STORE: 'mongodb',
      MONGO_URL: engines.mongoUrl,
      TEAMS_DATABASE: database,
      TEAMS_DATABASE_URL: databaseUrl,
    });
    if (measured.code !== 0) throw new Error(`move-store failed: ${measured.stderr}`);
    return { teams, seconds: measured.seconds, rowsPerSecond: Math.round(teams / measured.seconds), peakRssMb: measured.peakRssMb };
  } finally {
    await mongo.dropDatabase().finally(() => mongo.close());
  }
}

function p99(latencies: readonly number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

async function main(): Promise<void> {
  const engines = await startBenchEngines(log);
  try {
    const backfills = [];
    for (const teams of [N, 4 * N]) {
      log(`backfill of ${teams} teams...`);
      backfills.push(await backfillAt(engines, teams));
    }
    process.env.TEST_POSTGRES_URL = engines.postgresAdminUrl;
    process.env.TEST_MONGO_URL = engines.mongoUrl;
    const stack = await startStack({ teamsMove: {} });
    try {
      const users = [];
      for (const name of ['Ann Bench', 'Bob Bench', 'Cid Bench', 'Dee Bench']) users.push(await createUser(stack, name));
      const load = new TeamsLoad(stack, users);
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000)); // warm-up, not measured
      load.latencies.length = 0;
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const before = [...load.latencies];
      load.latencies.length = 0;
      await moveTeamsOk(stack, 'start', '--to', 'postgresql');
      await moveTeamsOk(stack, 'verify');
      const switched = await moveTeamsOk(stack, 'switch');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const during = [...load.latencies];
      await load.stop();
      const pause = Number(/Longest write pause: (\d+) ms/.exec(switched)?.[1]);
      process.stdout.write(
        [
          'bench:move-store',
          ...backfills.map((b) => `  backfill of ${b.teams.toLocaleString('en-US')} teams: ${b.seconds.toFixed(1)} s, ${b.rowsPerSecond.toLocaleString('en-US')} teams/s, peak memory ${Math.round(b.peakRssMb)} MiB`),
          `  client p99 before the move: ${p99(before)} ms (${before.length} requests); during it: ${p99(during)} ms (${during.length}); ratio ${(p99(during) / Math.max(p99(before), 1)).toFixed(2)} (goal ≤ 1.5)`,
          `  longest write pause at the switch: ${pause} ms (goal < 1000)`,
          `  failed client requests: ${load.failures.length}`,
        ].join('\n') + '\n',
      );
    } finally {
      await stack.stop();
    }
  } finally {
    await engines.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:move-store failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
