import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_FOR_ME } from '../../scripts/dashboardQuery';
import type { StoreEngine } from '../../lib/storeMove/types';
import { ANONYMOUS_REQUEST, expectNoErrors } from '../support/fixtures';
import { PATIENT_DATABASE_TIMEOUTS, startStack, TEST_PASSWORD, type Stack } from '../support/stack';
import { ROOT } from '../support/teamsMove';
import { missingWrites, moveUsers, moveUsersOk, openUsersOn, signUp, UsersLoad, type LoadUser } from '../support/usersMove';

/**
 * The users service moves MongoDB → PostgreSQL while signed-in users read their dashboards and
 * sign up, sign in, refresh their sessions and rename themselves through the real gateway, with
 * `npm run move-store -- users` (run in this process) driving each phase: no client request
 * fails, every acknowledged write (each sign-up, each refresh-token rotation, each rename) is in
 * the new store after the switch, the same queries answer the same, the supergraph file is untouched.
 */
const STABLE = `query($u: ID!) { user(id: $u) { id name email role } }`;
const SUPERGRAPH = join(ROOT, 'schema', 'supergraph.graphql');

const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }`;

describe('moving the users store under load', () => {
  let stack: Stack;
  let load: UsersLoad;
  let stable: LoadUser;
  let answersBefore: unknown[];
  let tokenFromBefore: string;
  const supergraphBefore = readFileSync(SUPERGRAPH);

  const stableAnswers = async () => [
    expectNoErrors(await stack.query(STABLE, { u: stable.id })),
    expectNoErrors(await stack.query(DASHBOARD_FOR_ME, {}, stable.headers)),
  ];

  beforeAll(async () => {
    stack = await startStack({ usersMove: { pollIntervalMs: 100, shadowReadShare: 0.5 }, databaseTimeouts: PATIENT_DATABASE_TIMEOUTS });
    const users: LoadUser[] = [];
    for (const name of ['Ann Load', 'Bob Load', 'Cid Load', 'Dee Load']) users.push(await signUp(stack, name));
    stable = await signUp(stack, 'Stable User');
    answersBefore = await stableAnswers();
    const login = expectNoErrors(
      await stack.query<{ login: { refreshToken: string } }>(`mutation($input: LoginInput!) { login(input: $input) { refreshToken } }`, { input: { email: stable.email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST),
    );
    tokenFromBefore = login.login.refreshToken;
    load = new UsersLoad(stack, users);
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await stack?.stop();
  });

  const expectWritesIn = async (engine: StoreEngine) => {
    const data = await openUsersOn(stack, engine);
    try {
      expect(await missingWrites(data, load.acknowledged)).toEqual([]);
    } finally {
      await data.close();
    }
  };

  it('plans the move, naming what would be copied, and writes nothing', async () => {
    const plan = await moveUsers(stack, 'plan', '--to', 'postgresql');
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/plan: move users from mongodb to postgresql \(nothing was written\)/);
    expect(plan.out).toMatch(/users/);
    expect(plan.out).toMatch(/refresh_tokens/);
    const same = await moveUsers(stack, 'start', '--to', 'mongodb');
    expect(same.err).toMatch(/MOVE_BAD_TARGET: users is on mongodb already/);
  });

  it('moves to PostgreSQL with no failed request and every acknowledged write there', async () => {
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await moveUsersOk(stack, 'start', '--to', 'postgresql')).toMatch(/backfill done/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await moveUsersOk(stack, 'verify')).toMatch(/the stores agree/);
    expect(await moveUsersOk(stack, 'switch')).toMatch(/reads and writes postgresql on 1 instance/);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.requests).toBeGreaterThan(50);
    expect(load.acknowledged.users.size).toBeGreaterThan(3);
    expect([...load.acknowledged.tokens.values()].filter((token) => token.spent).length).toBeGreaterThan(3);
    await expectWritesIn('postgresql');
    // Still mirrored to the old store: the way back stays open.
    await expectWritesIn('mongodb');
    const status = await moveUsersOk(stack, 'status');
    expect(status).toMatch(/users: switched \(moving mongodb → postgresql/);
    expect(status).toMatch(/shadow reads: [1-9]\d* made, 0 mismatched/);

    load.start();
    expect(await moveUsersOk(stack, 'verify')).toMatch(/the stores agree/);
    expect(await moveUsersOk(stack, 'finish')).toMatch(/mongodb is no longer written/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.stop();
    expect(load.failures).toEqual([]);
    await expectWritesIn('postgresql');
  }, 180_000);

  it('a session begun before the move goes on after it, and its refresh token is still redeemed once', async () => {
    const rotated = expectNoErrors(await stack.query<{ refreshSession: { refreshToken: string } }>(REFRESH, { t: tokenFromBefore }, ANONYMOUS_REQUEST));
    expect(rotated.refreshSession.refreshToken).toMatch(/^[0-9a-f-]{36}\./);
    const replayed = await stack.query(REFRESH, { t: tokenFromBefore }, ANONYMOUS_REQUEST);
    expect(replayed.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers the same queries the same, and leaves the supergraph file as it was', async () => {
    expect(await stableAnswers()).toEqual(answersBefore);
    expect(readFileSync(SUPERGRAPH).equals(supergraphBefore)).toBe(true);
  });
});
