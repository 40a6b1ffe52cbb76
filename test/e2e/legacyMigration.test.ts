import { Client } from 'pg';
import { legacyPasswordFor } from '../../legacy/passwords';
import { legacyUserIndex } from '../../legacy/tables/users';
import { connectMongo } from '../../lib/mongo';
import { integrityJson } from '../support/integrity';
import { eventually } from '../support/eventually';
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
}, 120_000);

test('run carries everything the rules say, verify proves it, stats shows 100%', async () => {
  const run = await cli('run');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^Accounts\s+60 read\s+57 written\s+0 unchanged\s+3 skipped\s+0 rejected\s+[\d,]+ rows\/s$/m);
  // The row that cannot be carried is reported with its id and reason; the rest went on.
  expect(run.stdout).toContain(`profiles ${rejectedProfile}: phone has 40 characters; the new store keeps at most 32`);
  const rows = generated.rows;
  expect(await countIn(stack.databases.paymentsUrl, 'payments')).toBe(rows['payments.payments']);
  expect(await countIn(stack.databases.paymentsUrl, 'payment_transactions')).toBe(rows['payments.payment_transactions']);
  expect(await mongoCount('audit_logs', { service: 'legacy' })).toBe(rows['admin.audit_logs']);
  expect(await mongoCount('users', { deletedAt: { $ne: null } })).toBe(3);

  const verify = await cli('verify');
  expect(verify.code).toBe(0);
  expect(verify.stdout).toContain('Verified: every carried record matches its source, and every reference resolves.');
  const stats = await cli('stats');
  expect(stats.stdout).toMatch(/^Accounts:\s+57 \/ 57 \(100%\)\s+\[3 skipped by rule\]$/m);
  expect(stats.stdout).toMatch(/^Payments:\s+120 \/ 120 \(100%\)$/m);
  expect(stats.stdout).toMatch(/^Profiles:\s+53 \/ 53 \(100%\)\s+\[6 skipped by rule, 1 could not be carried\]$/m);

  // The stores agree afterwards: payments of deleted users point at tombstones (kept), nothing dangles.
  const integrity = await integrityJson(stack.databases);
  expect(integrity.orphansLeft).toBe(0);
  expect(integrity.found.find((r) => r.name === 'payments.sender_id → users')!.kept + integrity.found.find((r) => r.name === 'payments.recipient_id → users')!.kept).toBeGreaterThan(0);
}, 180_000);

test('a second run adds nothing; changes in the source since are carried over by the next', async () => {
  const again = await cli('run');
  expect(again.code).toBe(0);
  for (const line of again.stdout.split('\n').filter((l) => / read /.test(l))) expect(line).toMatch(/\s0 written/);
  expect(await countIn(stack.databases.paymentsUrl, 'payments')).toBe(generated.rows['payments.payments']);

  // Meanwhile the legacy system goes on: a payment completes, a user renames, a new user pays.
  const [payment] = await sql<{ id: string }>(source, `UPDATE payments.payments SET status = 'COMPLETED', completed_at = now(), updated_at = now() WHERE id = (SELECT id FROM payments.payments WHERE status = 'PENDING' ORDER BY id LIMIT 1) RETURNING id::text AS id`);
  const [renamed] = await sql<{ id: string }>(source, `UPDATE auth.users SET name = 'Renamed In Legacy', updated_at = now() WHERE id = (SELECT id FROM auth.users WHERE name IS NOT NULL ORDER BY id LIMIT 1) RETURNING id::text AS id`);
  const [newcomer] = await sql<{ id: string }>(source, `INSERT INTO auth.users (id, email, password_hash, name, role) SELECT gen_random_uuid(), 'late.comer@legacy.test', password_hash, 'Late Comer', 'CUSTOMER' FROM auth.users ORDER BY id LIMIT 1 RETURNING id::text AS id`);
  await sql(source, `INSERT INTO payments.payments (id, sender_id, recipient_id, amount, currency) VALUES (gen_random_uuid(), $1, $2, 9.99, 'EUR')`, [newcomer!.id, renamed!.id]);

  const incremental = await cli('run');
  expect(incremental.code).toBe(0);
  expect(incremental.stdout).toMatch(/^Accounts\s+61 read\s+2 written\s+56 unchanged/m);
  expect(incremental.stdout).toMatch(/^Payments\s+121 read\s+2 written\s+119 unchanged/m);
  expect(incremental.stdout).toMatch(/^Audit history\s+60 read\s+0 written/m);
  const [carried] = await sql<{ status: string }>(stack.databases.paymentsUrl, `SELECT status::text AS status FROM payments WHERE id = $1`, [payment!.id]);
  expect(carried!.status).toBe('COMPLETED');
  expect((await cli('verify')).code).toBe(0);

  // The legacy system deletes a user (their sessions and profile go with them there): the next run
  // deletes them here too, as deleteUser would, and the other services follow user.deleted.
  const [leaving] = await sql<{ id: string; email: string }>(
    source,
    `SELECT u.id::text AS id, u.email FROM auth.users u
      WHERE NOT EXISTS (SELECT 1 FROM payments.payments p WHERE p.sender_id = u.id OR p.recipient_id = u.id)
        AND EXISTS (SELECT 1 FROM auth.refresh_tokens t WHERE t.user_id = u.id AND t.expires_at > now())
        AND EXISTS (SELECT 1 FROM profile.user_profiles p WHERE p.user_id = u.id AND p.id <> $1::uuid)
        AND lower(u.email) NOT IN (SELECT lower(email) FROM auth.users GROUP BY 1 HAVING count(*) > 1)
      ORDER BY u.id LIMIT 1`,
    [rejectedProfile],
  );
  expect(leaving).toBeDefined();
  await sql(source, 'DELETE FROM auth.users WHERE id = $1', [leaving!.id]);
  const afterDelete = await cli('run');
  expect(afterDelete.code).toBe(0);
  expect(afterDelete.stdout).toMatch(/^Accounts\s.*\s1 gone from the source, undone/m);
  expect(afterDelete.stdout).toMatch(/^Sessions\s.*\s1 gone from the source, undone/m);
  expect(afterDelete.stdout).toMatch(/^Profiles\s.*\s1 gone from the source, undone/m);
  expect(expectNoErrors(await stack.query(`query($id: ID!) { user(id: $id) { id } }`, { id: leaving!.id }))).toEqual({ user: null });
  const login = await stack.query(`mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, { input: { email: leaving!.email, password: legacyPasswordFor(legacyUserIndex(SEED, leaving!.id)!) } }, ANONYMOUS_REQUEST);
  expect(login.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await eventually(() => integrityJson(stack.databases), (report) => report.orphansLeft === 0)).orphansLeft).toBe(0);
  expect((await cli('verify')).code).toBe(0);
}, 180_000);

test('a migrated user signs in with their old password and reads their payments, profile, activity and session', async () => {
  // A user with a profile, payments and audit history in the legacy database.
  const [user] = await sql<{ id: string; email: string; token: string }>(
    source,
    `SELECT u.id::text AS id, u.email, t.token FROM auth.users u
       JOIN auth.refresh_tokens t ON t.user_id = u.id AND t.expires_at > now()
      WHERE EXISTS (SELECT 1 FROM profile.user_profiles p WHERE p.user_id = u.id AND p.id <> $1::uuid)
        AND EXISTS (SELECT 1 FROM payments.payments p WHERE p.sender_id = u.id OR p.recipient_id = u.id)
        AND EXISTS (SELECT 1 FROM admin.audit_logs a WHERE a.user_id = u.id)
        AND lower(u.email) NOT IN (SELECT lower(email) FROM auth.users GROUP BY 1 HAVING count(*) > 1)
      ORDER BY u.id LIMIT 1`,
    [rejectedProfile],
  );
  expect(user).toBeDefined();
  const password = legacyPasswordFor(legacyUserIndex(SEED, user!.id)!);
  const login = expectNoErrors(
    await stack.query<{ login: { accessToken: string; user: { id: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`,
      { input: { email: user!.email.toUpperCase(), password } },
      ANONYMOUS_REQUEST,
    ),
  );
  expect(login.login.user.id).toBe(user!.id);
  const mine = { authorization: `Bearer ${login.login.accessToken}` };
  const dashboard = expectNoErrors(
    await stack.query<{ me: { payments: { edges: { node: { id: string; amount: string } }[] }; profile: { id: string } | null; activity: { edges: { node: { action: string; service: string } }[] } } }>(
      `{ me { payments(first: 100) { edges { node { id amount } } } profile { id } activity(first: 100) { edges { node { action service } } } } }`,
      {},
      mine,
    ),
  );
  const legacyPayments = await sql<{ id: string; amount: string }>(source, `SELECT id::text AS id, amount::text AS amount FROM payments.payments WHERE sender_id = $1 OR recipient_id = $1`, [user!.id]);
  expect(dashboard.me.payments.edges.map(({ node }) => node.id).sort()).toEqual(legacyPayments.map((p) => p.id).sort());
  const [profile] = await sql<{ id: string }>(source, `SELECT id::text AS id FROM profile.user_profiles WHERE user_id = $1`, [user!.id]);
  expect(dashboard.me.profile).toEqual({ id: profile!.id });
  const legacyActions = await sql<{ action: string }>(source, `SELECT action FROM admin.audit_logs WHERE user_id = $1`, [user!.id]);
  const migratedActivity = dashboard.me.activity.edges.filter(({ node }) => node.service === 'legacy').map(({ node }) => node.action);
  expect(migratedActivity.sort()).toEqual(legacyActions.map((a) => a.action).sort());
  // Their legacy session goes on: the old refresh token is accepted once and rotated into a new one.
  const refreshed = await stack.query<{ refreshSession: { refreshToken: string; user: { id: string } } }>(
    `mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken user { id } } }`,
    { t: user!.token },
    ANONYMOUS_REQUEST,
  );
  expect(expectNoErrors(refreshed).refreshSession.user.id).toBe(user!.id);
  expect(refreshed.body.data!.refreshSession.refreshToken).toMatch(/^[0-9a-f-]{36}\./);
  // Another migrated session can be ended with its legacy token, after which it is refused.
  const [session] = await sql<{ token: string }>(source, `SELECT token FROM auth.refresh_tokens WHERE expires_at > now() AND user_id <> $1 ORDER BY id LIMIT 1`, [user!.id]);
  expect(expectNoErrors(await stack.query<{ logout: boolean }>(`mutation($t: String!) { logout(refreshToken: $t) }`, { t: session!.token }, ANONYMOUS_REQUEST)).logout).toBe(true);
  const ended = await stack.query(`mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`, { t: session!.token }, ANONYMOUS_REQUEST);
  expect(ended.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
}, 120_000);

test('a later run leaves alone what the new system has changed or deleted since', async () => {
  const [person, other] = await sql<{ id: string; profile: string }>(
    source,
    `SELECT u.id::text AS id, p.id::text AS profile FROM auth.users u JOIN profile.user_profiles p ON p.user_id = u.id
      WHERE p.id <> $1::uuid AND lower(u.email) NOT IN (SELECT lower(email) FROM auth.users GROUP BY 1 HAVING count(*) > 1)
      ORDER BY u.id DESC LIMIT 2`,
    [rejectedProfile],
  );
  // In the new system: one user edits their profile, another deletes their account.
  expectNoErrors(await stack.query(`mutation($u: ID!) { updateProfile(userId: $u, input: { bio: "written in the new system" }) { id } }`, { u: person!.id }));
  expectNoErrors(await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: other!.id }));
  // Meanwhile the legacy system changes both too.
  await sql(source, `UPDATE profile.user_profiles SET bio = 'written in legacy', updated_at = now() WHERE id = $1`, [person!.profile]);
  await sql(source, `UPDATE auth.users SET name = 'Back From Legacy', updated_at = now() WHERE id = $1`, [other!.id]);

  const run = await cli('run');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`profiles ${person!.profile}: changed in the source, but also changed or deleted in the new system since it was carried`);
  const [profile] = await sql<{ bio: string }>(stack.databases.profilesUrl, 'SELECT bio FROM user_profiles WHERE id = $1', [person!.profile]);
  expect(profile!.bio).toBe('written in the new system');
  expect(expectNoErrors(await stack.query(`query($id: ID!) { user(id: $id) { id } }`, { id: other!.id }))).toEqual({ user: null });
  expect(await mongoCount('users', { _id: other!.id, deletedAt: { $ne: null } })).toBe(1);
}, 120_000);

test('rollback removes what the migration created, and nothing else', async () => {
  const stackAdmin = expectNoErrors(await stack.query<{ me: { id: string } }>('{ me { id } }')).me.id;
  const result = await cli('rollback');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Payments\s+121 removed$/m);
  expect(await countIn(stack.databases.paymentsUrl, 'payments')).toBe(0);
  expect(await countIn(stack.databases.paymentsUrl, 'payment_transactions')).toBe(0);
  const migratedProfiles = (await sql<{ id: string }>(source, 'SELECT id::text AS id FROM profile.user_profiles')).map((row) => row.id);
  expect(Number((await sql<{ n: string }>(stack.databases.profilesUrl, 'SELECT count(*) AS n FROM user_profiles WHERE id = ANY($1::uuid[])', [migratedProfiles]))[0]!.n)).toBe(0);
  expect(await mongoCount('audit_logs', { service: 'legacy' })).toBe(0);
  expect(await mongoCount('refresh_tokens', { legacyTokenHash: { $exists: true } })).toBe(0);
  // The product's own records stay: its admin, and the audit entries of what happened through it.
  expect(await mongoCount('users', { _id: stackAdmin })).toBe(1);
  expect(await mongoCount('users')).toBe(1 + (await mongoCount('users', { email: /@example\.test$/ })));
  expect(await mongoCount('audit_logs', { service: 'users' })).toBeGreaterThan(0);
  const stats = await cli('stats');
  expect(stats.stdout).toMatch(/^Accounts:\s+0 \/ \d+ \(0%\)$/m);
  // The source was only read: the generator's rows are all there, as the test left them.
  expect(Number((await sql<{ n: string }>(source, 'SELECT count(*) AS n FROM payments.payments'))[0]!.n)).toBe(generated.rows['payments.payments']! + 1);
}, 120_000);

test('bad usage is refused, naming what is wrong', async () => {
  const noSource = await migrate(stack.databases, ['run']);
  expect(noSource.code).toBe(2);
  expect(noSource.stderr).toContain('--source is required');
  const unknown = await migrate(stack.databases, ['launch', '--source', source]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown command "launch"');
  const badBatch = await migrate(stack.databases, ['run', '--source', source, '--batch-size', 'lots']);
  expect(badBatch.code).toBe(2);
  expect(badBatch.stderr).toContain('--batch-size must be a whole number from 1 to 50000, not "lots"');
  const unreachable = await migrate(stack.databases, ['stats', '--source', 'postgresql://nobody@127.0.0.1:1/none', '--state', state]);
  expect(unreachable.code).toBe(3);
  expect(unreachable.stderr).toContain('cannot connect to the source database');
});
