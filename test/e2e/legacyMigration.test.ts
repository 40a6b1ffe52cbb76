import { Client } from 'pg';
import { legacyPasswordFor } from '../../legacy/passwords';
import { legacyUserIndex } from '../../legacy/tables/users';
import { connectMongo } from '../../lib/mongo';
import { integrityJson } from '../support/integrity';
import { ANONYMOUS_REQUEST, expectNoErrors } from '../support/fixtures';
import { dropDatabase, freshDatabase, legacySource, migrate, sql } from '../support/legacy';
import { startStack, type Stack } from '../support/stack';

/**
 * Moving a generated legacy shared database (dirt included) into the running product's stores with
 * the real `migrate:legacy` command: plan, run, re-run, incremental, verify, stats, rollback, and a
 * migrated user signing in and reading their dashboard through the gateway.
 */
const SEED = 7;
let stack: Stack;
let source: string;
let state: string;
let generated: Awaited<ReturnType<typeof legacySource>>['generated'];
let rejectedProfile: string;

const cli = (...args: string[]) => migrate(stack.databases, [...args, '--source', source, '--state', state, '--quiet']);
const countIn = async (url: string, table: string) => Number((await sql<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0]!.n);

async function mongoCount(collection: string, filter: Record<string, unknown> = {}): Promise<number> {
  const connection = await connectMongo(stack.databases.mongoUrl, stack.databases.usersDatabase);
  try {
    return await connection.db!.collection(collection).countDocuments(filter as never);
  } finally {
    await connection.close();
  }
}

beforeAll(async () => {
  stack = await startStack();
  ({ url: source, generated } = await legacySource(60, SEED));
  state = await freshDatabase('migration_state');
  // A row the new layout cannot hold: a phone number far longer than the profiles store keeps.
  const [profile] = await sql<{ id: string }>(source, `UPDATE profile.user_profiles SET phone = repeat('9', 40) WHERE id = (SELECT p.id FROM profile.user_profiles p WHERE EXISTS (SELECT 1 FROM auth.users u WHERE u.id = p.user_id) ORDER BY p.id LIMIT 1) RETURNING id::text AS id`);
  rejectedProfile = profile!.id;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (source) await dropDatabase(source);
  if (state) await dropDatabase(state);
});

test('plan: what goes where, what is skipped or merged and why, and nothing changes', async () => {
  const usersBefore = await mongoCount('users');
  const result = await migrate(stack.databases, ['plan', '--source', source, '--state', state, '--quiet']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('auth.users → users service (MongoDB users)');
  expect(result.stdout).toMatch(new RegExp(`skipped by rule: ${generated.dirt.caseDuplicateEmailGroups} \\(merged into …, the earlier account with the same email`));
  expect(result.stdout).toMatch(/profile\.user_profiles → profiles service[\s\S]*skipped by rule: \d+ \(no such user …: a profile of a user deleted in the legacy system\)/);
  expect(result.stdout).toMatch(/cannot be carried: 1 \(phone has N characters; the new store keeps at most 32\)/);
  expect(result.stdout).toMatch(/admin\.system_config → not carried: \d+ rows \(system settings/);
  expect(await mongoCount('users')).toBe(usersBefore);
  expect(await countIn(stack.databases.paymentsUrl, 'payments')).toBe(0);
  console.log(result.stdout);
}, 120_000);

test('run carries everything the rules say, verify proves it, stats shows 100%', async () => {
  const run = await cli('run');
  console.log(run.stdout, run.stderr);
  expect(run.code).toBe(0);
  const verify = await cli('verify');
  console.log(verify.stdout, verify.stderr);
  expect(verify.code).toBe(0);
  const stats = await cli('stats');
  console.log(stats.stdout);
}, 180_000);
