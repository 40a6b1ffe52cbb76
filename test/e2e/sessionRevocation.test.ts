import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import type { RunningServer } from '../../lib/httpServer';
import { createLogger } from '../../lib/logger';
import { startSubgraph } from '../../lib/subgraph';
import { SUBGRAPHS, type SubgraphName } from '../../schema/subgraphs';
import { createProjectsSubgraph } from '../../subgraphs/projects/server';
import { eventually } from '../support/eventually';
import { claimsOf } from '../support/tokens';
import { ANONYMOUS_REQUEST, expectNoErrors } from '../support/fixtures';
import { graphqlPost, startStack, TEST_PASSWORD, type GraphQLResponse, type Stack } from '../support/stack';

/**
 * Issue 11, "auth that follows changes at once": a role change, a deletion or a logout everywhere
 * is refused by the gateway and by every subgraph within moments (a user.access-changed event each
 * applies to its own revocation list), not when the access token expires 15 minutes later.
 * The stack's events travel through PostgreSQL polled every 50 ms; each check waits at most 3 s.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const SERVICES = SUBGRAPHS.map(({ name }) => name);
const FLIP_DEADLINE_MS = 3_000;

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; role: string };
}

const SESSION_FIELDS = `accessToken refreshToken user { id role }`;

async function signUp(name: string): Promise<{ email: string; session: Session }> {
  const email = `${name.toLowerCase()}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@sessions.test`;
  const registered = expectNoErrors(
    await stack.query<{ register: Session }>(`mutation($input: RegisterInput!) { register(input: $input) { ${SESSION_FIELDS} } }`, { input: { email, password: TEST_PASSWORD, name } }, ANONYMOUS_REQUEST),
  );
  return { email, session: registered.register };
}

async function login(email: string): Promise<Session> {
  return expectNoErrors(
    await stack.query<{ login: Session }>(`mutation($input: LoginInput!) { login(input: $input) { ${SESSION_FIELDS} } }`, { input: { email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST),
  ).login;
}

function refresh(refreshToken: string): Promise<GraphQLResponse<{ refreshSession: Session }>> {
  return stack.query<{ refreshSession: Session }>(`mutation($token: String!) { refreshSession(refreshToken: $token) { ${SESSION_FIELDS} } }`, { token: refreshToken }, ANONYMOUS_REQUEST);
}

/**
 * The HTTP status a token gets from the gateway and from each subgraph called directly.
 * `{ __typename }` is answered by the gateway itself, so a 401 there is the gateway's own refusal
 * at the edge, before any planning.
 */
async function statuses(token: string): Promise<Record<'gateway' | SubgraphName, number>> {
  const gateway = (await stack.query(`{ __typename }`, {}, bearer(token))).status;
  const direct = await Promise.all(SERVICES.map(async (name) => [name, (await graphqlPost(stack.subgraphUrls[name], `{ __typename }`, {}, bearer(token))).status] as const));
  return { gateway, ...Object.fromEntries(direct) } as Record<'gateway' | SubgraphName, number>;
}

const everywhere = (status: number) => ({ gateway: status, ...Object.fromEntries(SERVICES.map((name) => [name, status])) });
const allAre = (status: number) => (seen: Record<string, number>) => Object.values(seen).every((value) => value === status);

/** Waits (up to the deadline) until the token is refused everywhere; returns what was seen last. */
function refusedEverywhere(token: string) {
  return eventually(() => statuses(token), allAre(401), FLIP_DEADLINE_MS, 50);
}

async function expectRefusedAtGateway(token: string, message: RegExp) {
  const refused = await stack.query(`{ me { id } }`, {}, bearer(token));
  expect(refused.status).toBe(401);
  expect(refused.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  expect(refused.body.errors?.[0]?.message).toMatch(message);
}

const ENDED = /session has ended or the account has changed/;

describe('a demoted admin', () => {
  test('loses admin rights at once, at the gateway and at every subgraph; a refresh gives a token with the new role', async () => {
    const { email, session: signedUp } = await signUp('Ada');
    const adaId = signedUp.user.id;
    expectNoErrors(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }`, { id: adaId }));
    const ada = await login(email);
    expect(ada.user.role).toBe('ADMIN');
    const listUsers = `{ users(first: 1) { edges { node { id } } } }`;
    expectNoErrors(await stack.query(listUsers, {}, bearer(ada.accessToken)));
    expect(await statuses(ada.accessToken)).toEqual(everywhere(200));
    // An unrelated session, which must not be touched.
    const { session: bystander } = await signUp('Bystander');

    // Another admin demotes her.
    expectNoErrors(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { role: CUSTOMER }) { role } }`, { id: adaId }));

    expect(await refusedEverywhere(ada.accessToken)).toEqual(everywhere(401));
    await expectRefusedAtGateway(ada.accessToken, ENDED);
    const adminOperation = await stack.query(listUsers, {}, bearer(ada.accessToken));
    expect(adminOperation.status).toBe(401);
    expect(adminOperation.body.data ?? null).toBeNull();
    // At a subgraph called directly, too (the users subgraph decides on its own).
    const direct = await graphqlPost<Record<string, any>>(stack.subgraphUrls.users, listUsers, {}, bearer(ada.accessToken));
    expect(direct.status).toBe(401);
    expect(direct.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);

    // Her session goes on: the refresh token still works, and the new token carries the new role.
    const refreshed = expectNoErrors(await refresh(ada.refreshToken)).refreshSession;
    expect(refreshed.user.role).toBe('CUSTOMER');
    expect(await statuses(refreshed.accessToken)).toEqual(everywhere(200));
    expect(expectNoErrors(await stack.query<{ me: { role: string } }>(`{ me { role } }`, {}, bearer(refreshed.accessToken))).me.role).toBe('CUSTOMER');
    const denied = await stack.query(listUsers, {}, bearer(refreshed.accessToken));
    expect(denied.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);

    expect(await statuses(bystander.accessToken)).toEqual(everywhere(200));
  });

  test('sessions started while the role changes: every token with the old role is refused, every one with the new role works', async () => {
    const { email, session: signedUp } = await signUp('Racing');
    const id = signedUp.user.id;
    expectNoErrors(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }`, { id }));
    const sessions = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(() => login(email)));
    const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Refreshes started a few milliseconds apart, and two sign-ins, while another admin demotes the user.
    const [, ...started] = await Promise.all([
      after(12).then(() => stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { role: VENDOR }) { role } }`, { id })),
      ...sessions.map(async (session, index) => {
        await after(index * 3);
        return expectNoErrors(await refresh(session.refreshToken)).refreshSession.accessToken;
      }),
      login(email).then((session) => session.accessToken),
      login(email).then((session) => session.accessToken),
    ]);
    const roleOf = (token: string) => claimsOf(token).role as string;
    for (const token of started) {
      const expected = roleOf(token) === 'VENDOR' ? 200 : 401;
      expect({ role: roleOf(token), seen: await eventually(() => statuses(token), allAre(expected), FLIP_DEADLINE_MS, 50) }).toEqual({ role: roleOf(token), seen: everywhere(expected) });
    }
  });

  test('updating a user without changing the role ends no session', async () => {
    const { session } = await signUp('Steady');
    expectNoErrors(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { role: CUSTOMER, name: "Still Steady" }) { id } }`, { id: session.user.id }));
    expectNoErrors(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { name: "Steady Again" }) { id } }`, { id: session.user.id }, bearer(session.accessToken)));
    // Long enough for an event to have gone round, had there been one.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await statuses(session.accessToken)).toEqual(everywhere(200));
  });
});

describe('a deleted user', () => {
  test('their token is refused everywhere at once, and so is their refresh token', async () => {
    const { session } = await signUp('Leaving');
    expect(await statuses(session.accessToken)).toEqual(everywhere(200));
    expectNoErrors(await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: session.user.id }));
    expect(await refusedEverywhere(session.accessToken)).toEqual(everywhere(401));
    await expectRefusedAtGateway(session.accessToken, ENDED);
    const refreshed = await refresh(session.refreshToken);
    expect(refreshed.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('logoutEverywhere', () => {
  let email: string;
  let first: Session;
  let second: Session;
  let fresh: Session;

  test('ends every session: the access tokens and all refresh tokens are refused; a sign-in after it works everywhere', async () => {
    const signedUp = await signUp('Roaming');
    email = signedUp.email;
    first = signedUp.session;
    second = await login(email);
    const { session: bystander } = await signUp('Neighbour');

    const ended = expectNoErrors(await stack.query<{ logoutEverywhere: string }>(`mutation { logoutEverywhere }`, {}, bearer(first.accessToken)));
    expect(ended.logoutEverywhere).toBe(first.user.id);

    for (const session of [first, second]) {
      expect(await refusedEverywhere(session.accessToken)).toEqual(everywhere(401));
      await expectRefusedAtGateway(session.accessToken, ENDED);
      const refreshed = await refresh(session.refreshToken);
      expect(refreshed.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
    // Issued after it: works at once, everywhere.
    fresh = await login(email);
    expect(await statuses(fresh.accessToken)).toEqual(everywhere(200));
    expect(expectNoErrors(await refresh(fresh.refreshToken)).refreshSession.user.id).toBe(first.user.id);
    expect(await statuses(bystander.accessToken)).toEqual(everywhere(200));
  });

  test("only the user themselves or an admin may end a user's sessions", async () => {
    const { session: victim } = await signUp('Victim');
    const { session: other } = await signUp('Other');
    const denied = await stack.query(`mutation($id: ID) { logoutEverywhere(userId: $id) }`, { id: victim.user.id }, bearer(other.accessToken));
    expect(denied.body.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    const anonymous = await stack.query(`mutation { logoutEverywhere }`, {}, ANONYMOUS_REQUEST);
    expect(anonymous.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await statuses(victim.accessToken)).toEqual(everywhere(200));

    // An admin may (a stolen laptop reported to support).
    expect(expectNoErrors(await stack.query<{ logoutEverywhere: string }>(`mutation($id: ID) { logoutEverywhere(userId: $id) }`, { id: victim.user.id })).logoutEverywhere).toBe(victim.user.id);
    expect(await refusedEverywhere(victim.accessToken)).toEqual(everywhere(401));
    expect(await statuses(other.accessToken)).toEqual(everywhere(200));
  });

  test('a service started after the revocation still refuses the token, and accepts the new one', async () => {
    // The stack's projects service has handled the event (the token is refused there)...
    expect((await graphqlPost(stack.subgraphUrls.projects, `{ __typename }`, {}, bearer(first.accessToken))).status).toBe(401);
    // ...so a new instance gets no event for it: it learns it from the users service at start.
    const logger = createLogger('projects', 'silent');
    const restarted = await startSubgraph(
      await createProjectsSubgraph({ databaseUrl: stack.databases.projectsUrl, usersUrl: stack.subgraphUrls.users, teamsUrl: stack.subgraphUrls.teams, auth: stack.auth }, logger, {}, stack.events),
      0,
    );
    try {
      expect((await graphqlPost(restarted.url, `{ __typename }`, {}, bearer(first.accessToken))).status).toBe(401);
      expect((await graphqlPost(restarted.url, `{ __typename }`, {}, bearer(second.accessToken))).status).toBe(401);
      expect((await graphqlPost(restarted.url, `{ __typename }`, {}, bearer(fresh.accessToken))).status).toBe(200);
    } finally {
      await restarted.stop();
    }
  });

  test('a gateway started after the revocation refuses the token at the edge; one without events leaves it to the subgraphs', async () => {
    const env = {
      ...Object.fromEntries(SERVICES.map((name) => [`${name.toUpperCase()}_SUBGRAPH_URL`, stack.subgraphUrls[name]])),
      JWT_PUBLIC_KEY: stack.keys.publicKey,
      INTERNAL_SIGNING_SECRET: stack.auth.signingSecret,
      PORT: '0',
    };
    const started: RunningServer[] = [];
    try {
      const withEvents = await startGateway(gatewayConfigFromEnv(env), createLogger('gateway', 'silent'), stack.events);
      started.push(withEvents);
      expect((await graphqlPost(withEvents.url, `{ __typename }`, {}, bearer(first.accessToken))).status).toBe(401);
      expect((await graphqlPost(withEvents.url, `{ __typename }`, {}, bearer(fresh.accessToken))).status).toBe(200);

      const withoutEvents = await startGateway(gatewayConfigFromEnv(env), createLogger('gateway', 'silent'));
      started.push(withoutEvents);
      // It keeps no list: the token passes the edge, and the subgraph that would answer refuses it.
      expect((await graphqlPost(withoutEvents.url, `{ __typename }`, {}, bearer(first.accessToken))).status).toBe(200);
      const me = await graphqlPost<{ me: { id: string } | null }>(withoutEvents.url, `{ me { id } }`, {}, bearer(first.accessToken));
      expect(me.body.data?.me ?? null).toBeNull();
      expect(me.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    } finally {
      for (const server of started) await server.stop();
    }
  });
});
