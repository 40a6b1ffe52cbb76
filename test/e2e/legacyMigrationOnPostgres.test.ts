import { legacyPasswordFor } from '../../legacy/passwords';
import { legacyUserIndex } from '../../legacy/tables/users';
import { integrityJson } from '../support/integrity';
import { eventually } from '../support/eventually';
import { ANONYMOUS_REQUEST, expectNoErrors } from '../support/fixtures';
import { dropDatabase, freshDatabase, legacySource, migrate, sql } from '../support/legacy';
import { startStack, type Stack } from '../support/stack';

/**
 * The legacy migration into a product whose users live on PostgreSQL (USERS_STORE=postgresql): the
 * real `migrate:legacy` command carries accounts, tombstones, sessions and audit history into the
 * users service's PostgreSQL store through its contracts, verify proves it, a user deleted in the
 * legacy system since is deleted by the service's own rule, migrated users sign in through the
 * gateway, and rollback removes what the migration made and nothing else.
 */
const SEED = 5;
let stack: Stack;
let source: string;
let state: string;
let generated: Awaited<ReturnType<typeof legacySource>>['generated'];

const cli = (...args: string[]) => migrate(stack.databases, [...args, '--source', source, '--state', state, '--quiet']);
const usersCount = async (where: string, params: unknown[] = []) => Number((await sql<{ n: string }>(stack.databases.usersUrl!, `SELECT count(*) AS n FROM ${where}`, params))[0]!.n);

beforeAll(async () => {
  stack = await startStack({ usersStore: 'postgresql' });
  ({ url: source, generated } = await legacySource(40, SEED));
  state = await freshDatabase('migration_state');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (source) await dropDatabase(source);
  if (state) await dropDatabase(state);
});

test('plan names the PostgreSQL users store and writes nothing', async () => {
  const before = await usersCount('users');
  const plan = await cli('plan');
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain('auth.users → users service (PostgreSQL users)');
  expect(plan.stdout).toContain('auth.refresh_tokens → users service (PostgreSQL refresh_tokens)');
  expect(plan.stdout).toContain('admin.audit_logs → users service (PostgreSQL audit_logs)');
  expect(await usersCount('users')).toBe(before);
}, 120_000);

test('run carries accounts, tombstones, sessions and audit history into PostgreSQL; verify proves it; a second run adds nothing', async () => {
  const [{ accounts, merged }] = await sql<{ accounts: string; merged: string }>(
    source,
    `SELECT count(*) AS accounts, count(*) - count(DISTINCT lower(email)) AS merged FROM auth.users`,
  ) as [{ accounts: string; merged: string }];
  const carried = Number(accounts) - Number(merged);
  const run = await cli('run');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`^Accounts\\s+${accounts} read\\s+${carried} written\\s+0 unchanged\\s+${merged} skipped\\s+0 rejected`, 'm'));
  const gone = Number((await sql<{ n: string }>(source, `SELECT count(DISTINCT x.id) AS n FROM (SELECT sender_id AS id FROM payments.payments UNION SELECT recipient_id FROM payments.payments) x WHERE NOT EXISTS (SELECT 1 FROM auth.users u WHERE u.id = x.id)`))[0]!.n);
  expect(gone).toBeGreaterThan(0);
  expect(await usersCount(`users WHERE deleted_at IS NOT NULL AND email = 'deleted:' || id::text`)).toBe(gone);
  // The carried accounts, with their Argon2 hashes as they were, beside the stack's admin.
  expect(await usersCount(`users WHERE deleted_at IS NULL AND password_hash LIKE '$argon2%'`)).toBe(carried + 1);
  expect(await usersCount(`audit_logs WHERE service = 'legacy'`)).toBe(generated.rows['admin.audit_logs']);
  const validSessions = Number((await sql<{ n: string }>(source, 'SELECT count(*) AS n FROM auth.refresh_tokens WHERE expires_at > now()'))[0]!.n);
  expect(await usersCount('refresh_tokens WHERE legacy_token_hash IS NOT NULL')).toBe(validSessions);

  const verify = await cli('verify');
  expect(verify.code).toBe(0);
  expect(verify.stdout).toContain('Verified: every carried record matches its source, and every reference resolves.');
  const stats = await cli('stats');
  expect(stats.stdout).toMatch(new RegExp(`^Accounts:\\s+${carried} / ${carried} \\(100%\\)`, 'm'));
  const again = await cli('run');
  expect(again.code).toBe(0);
  for (const line of again.stdout.split('\n').filter((l) => / read /.test(l))) expect(line).toMatch(/\s0 written/);
  expect((await integrityJson(stack.databases)).orphansLeft).toBe(0);
}, 240_000);

test('a migrated user signs in with their old password and goes on with their legacy session, through the gateway', async () => {
  const [user] = await sql<{ id: string; email: string; token: string }>(
    source,
    `SELECT u.id::text AS id, u.email, t.token FROM auth.users u JOIN auth.refresh_tokens t ON t.user_id = u.id AND t.expires_at > now()
      WHERE EXISTS (SELECT 1 FROM admin.audit_logs a WHERE a.user_id = u.id)
        AND lower(u.email) NOT IN (SELECT lower(email) FROM auth.users GROUP BY 1 HAVING count(*) > 1)
      ORDER BY u.id LIMIT 1`,
  );
  expect(user).toBeDefined();
  const login = expectNoErrors(
    await stack.query<{ login: { accessToken: string; user: { id: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`,
      { input: { email: user!.email.toUpperCase(), password: legacyPasswordFor(legacyUserIndex(SEED, user!.id)!) } },
      ANONYMOUS_REQUEST,
    ),
  );
  expect(login.login.user.id).toBe(user!.id);
  const activity = expectNoErrors(
    await stack.query<{ me: { activity: { edges: { node: { action: string; service: string } }[] } } }>(
      `{ me { activity(first: 100) { edges { node { action service } } } } }`,
      {},
      { authorization: `Bearer ${login.login.accessToken}` },
    ),
  );
  const legacyActions = await sql<{ action: string }>(source, 'SELECT action FROM admin.audit_logs WHERE user_id = $1', [user!.id]);
  expect(activity.me.activity.edges.filter(({ node }) => node.service === 'legacy').map(({ node }) => node.action).sort()).toEqual(legacyActions.map((a) => a.action).sort());
  const refresh = (token: string) => stack.query<{ refreshSession: { refreshToken: string; user: { id: string } } }>(`mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken user { id } } }`, { t: token }, ANONYMOUS_REQUEST);
  const refreshed = expectNoErrors(await refresh(user!.token));
  expect(refreshed.refreshSession.user.id).toBe(user!.id);
  expect(refreshed.refreshSession.refreshToken).toMatch(/^[0-9a-f-]{36}\./);
  // Spent: the legacy token is accepted once.
  expect((await refresh(user!.token)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
}, 120_000);

test('a user deleted in the legacy system since is deleted here by the service\'s own rule; verify still holds', async () => {
  const [leaving] = await sql<{ id: string; email: string }>(
    source,
    `SELECT u.id::text AS id, u.email FROM auth.users u
      WHERE NOT EXISTS (SELECT 1 FROM payments.payments p WHERE p.sender_id = u.id OR p.recipient_id = u.id)
        AND EXISTS (SELECT 1 FROM auth.refresh_tokens t WHERE t.user_id = u.id AND t.expires_at > now())
        AND lower(u.email) NOT IN (SELECT lower(email) FROM auth.users GROUP BY 1 HAVING count(*) > 1)
      ORDER BY u.id DESC LIMIT 1`,
  );
  expect(leaving).toBeDefined();
  await sql(source, 'DELETE FROM auth.users WHERE id = $1', [leaving!.id]);
  const run = await cli('run');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^Accounts\s.*\s1 gone from the source, undone/m);
  expect(run.stdout).toMatch(/^Sessions\s.*\s1 gone from the source, undone/m);
  // The tombstone deleteUser leaves: the id, when, the email freed; sessions ended.
  const [row] = await sql<{ email: string; deleted: boolean; ended: boolean }>(stack.databases.usersUrl!, `SELECT email, deleted_at IS NOT NULL AS deleted, sessions_not_before IS NOT NULL AS ended FROM users WHERE id = $1`, [leaving!.id]);
  expect(row).toEqual({ email: `deleted:${leaving!.id}`, deleted: true, ended: true });
  expect(await usersCount('refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [leaving!.id])).toBe(0);
  expect(expectNoErrors(await stack.query(`query($id: ID!) { user(id: $id) { id } }`, { id: leaving!.id }))).toEqual({ user: null });
  expect((await eventually(() => integrityJson(stack.databases), (report) => report.orphansLeft === 0)).orphansLeft).toBe(0);
  expect((await cli('verify')).code).toBe(0);
}, 180_000);

test('rollback removes what the migration made from PostgreSQL, and nothing else', async () => {
  const admin = expectNoErrors(await stack.query<{ me: { id: string } }>('{ me { id } }')).me.id;
  const result = await cli('rollback');
  expect(result.code).toBe(0);
  expect(await usersCount(`audit_logs WHERE service = 'legacy'`)).toBe(0);
  expect(await usersCount('refresh_tokens WHERE legacy_token_hash IS NOT NULL')).toBe(0);
  expect(await usersCount('users WHERE id = $1', [admin])).toBe(1);
  expect(await usersCount('users')).toBe(1);
  expect(await usersCount(`audit_logs WHERE service = 'users'`)).toBeGreaterThan(0);
  expect((await cli('stats')).stdout).toMatch(/^Accounts:\s+0 \/ \d+ \(0%\)$/m);
}, 120_000);
