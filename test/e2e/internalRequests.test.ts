import { randomBytes, randomUUID } from 'node:crypto';
import { RequestSigner } from '../../lib/auth/RequestSigner';
import { ANONYMOUS_REQUEST, as, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { graphqlPost, signedPost, startStack, TEST_PASSWORD, type GraphQLResponse, type Stack } from '../support/stack';

/**
 * Requests between the gateway and the services are signed with the stack's shared secret; a local
 * process that calls a subgraph port itself, without it, is an outsider: it cannot name the
 * client's address, and the federation-internal fields are refused to it. And nothing of a
 * subgraph's HTTP answer (its URL, status, body) reaches a client through the gateway.
 */
let stack: Stack;
let ann: string;
let teamToken: string;

const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id name } } }`;
const TEAM_TOKEN = `query($token: String!) { _teamTokenIdentity(token: $token) { teamId tokenId } }`;
const FORGED_IP = '203.0.113.99';

beforeAll(async () => {
  stack = await startStack();
  ann = await createUser(stack, 'Ann Internal');
  const team = await createTeam(stack, 'Signed team', ann);
  teamToken = expectNoErrors(
    await stack.query<{ createTeamToken: { token: string } }>(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "CI") { token } }`, { t: team }, as(ann)),
  ).createTeamToken.token;
});

afterAll(async () => {
  await stack?.stop();
});

/** The refusal of an internal field: 403, FORBIDDEN, and nothing else (no data, no detail). */
function expectForbidden(response: GraphQLResponse<unknown>) {
  expect(response.status).toBe(403);
  expect(response.body.errors).toEqual([{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }]);
  expect(response.body.data ?? null).toBeNull();
}

describe('forged headers from a local process', () => {
  test("a team token reads no user's id and name through the users subgraph's _entities (unsigned: refused)", async () => {
    const direct = await graphqlPost(stack.subgraphUrls.users, ENTITIES, { reps: [{ __typename: 'User', id: ann }] }, { authorization: `Bearer ${teamToken}` });
    expectForbidden(direct);
    expect(JSON.stringify(direct.body)).not.toContain('Ann Internal');
    // Through the gateway there is no _entities at all: the public schema does not have it.
    const viaGateway = await stack.query(ENTITIES, { reps: [{ __typename: 'User', id: ann }] }, { authorization: `Bearer ${teamToken}` });
    expect(viaGateway.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(viaGateway.body)).not.toContain('Ann Internal');
  });

  test('_teamTokenIdentity answers no caller without a signature at the teams port, with or without a credential', async () => {
    for (const headers of [{}, { authorization: `Bearer ${teamToken}` }, as(ann)]) {
      const response = await graphqlPost(stack.subgraphUrls.teams, TEAM_TOKEN, { token: teamToken }, headers);
      expectForbidden(response);
      expect(JSON.stringify(response.body)).not.toMatch(/teamId|tokenId/);
    }
    // Hidden in fragments, too.
    const fragment = await graphqlPost(stack.subgraphUrls.teams, `query($token: String!) { ...T } fragment T on Query { _teamTokenIdentity(token: $token) { teamId } }`, { token: teamToken });
    expectForbidden(fragment);
    // The services themselves still check team tokens: the team token works through the gateway.
    expect(expectNoErrors(await stack.query<{ __typename: string }>(`{ __typename }`, {}, { authorization: `Bearer ${teamToken}` })).__typename).toBe('Query');
  });

  test('_service (the SDL) and _entities are refused unsigned at every subgraph', async () => {
    for (const url of Object.values(stack.subgraphUrls)) {
      expectForbidden(await graphqlPost(url, `{ _service { sdl } }`, {}, as(ann)));
      expectForbidden(await graphqlPost(url, `query($reps: [_Any!]!) { _entities(representations: $reps) { __typename } }`, { reps: [] }, as(ann)));
      // As the gateway merges entity fetches: under aliases, still _entities, still refused.
      expectForbidden(
        await graphqlPost(url, `query($r0: [_Any!]!, $r1: [_Any!]!) { _b0: _entities(representations: $r0) { __typename } _b1: _entities(representations: $r1) { __typename } }`, { r0: [], r1: [] }, as(ann)),
      );
    }
  });

  test('a signature made with another secret, an old one, or for another body is refused', async () => {
    const url = stack.subgraphUrls.users;
    const body = JSON.stringify({ query: ENTITIES, variables: { reps: [{ __typename: 'User', id: ann }] } });
    const headers = { 'content-type': 'application/json', ...as(ann) };
    const post = (extra: Record<string, string>, sent = body) => fetch(url, { method: 'POST', headers: { ...headers, ...extra }, body: sent });
    const parts = { method: 'POST', path: '/graphql', body, headers };
    const wrongSecret = new RequestSigner(randomBytes(32).toString('hex')).sign(parts);
    const tooOld = new RequestSigner(stack.auth.signingSecret).sign(parts, Date.now() - 120_000);
    const otherBody = new RequestSigner(stack.auth.signingSecret).sign({ ...parts, body: '{}' });
    for (const signature of [wrongSecret, tooOld, otherBody]) {
      const response = await post(signature);
      expect(response.status).toBe(403);
      expect(JSON.stringify(await response.json())).not.toContain('Ann Internal');
    }
    // The same request, signed properly, is what the gateway and the services send: answered.
    const good = await post(new RequestSigner(stack.auth.signingSecret).sign(parts));
    expect(good.status).toBe(200);
    expect(((await good.json()) as { data: { _entities: unknown[] } }).data._entities).toEqual([{ id: ann, name: 'Ann Internal' }]);
  });

  test('x-client-ip is not believed from an unsigned request: the audit trail records the real peer', async () => {
    const email = `forged.${randomBytes(4).toString('hex')}@example.test`;
    const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`;
    const forged = await graphqlPost<{ register: { user: { id: string } } }>(
      stack.subgraphUrls.users,
      REGISTER,
      { input: { email, password: TEST_PASSWORD, name: 'Forger' } },
      { 'x-client-ip': FORGED_IP },
    );
    const forger = expectNoErrors(forged).register.user.id;
    // A signed one (as the gateway sends) is believed.
    const signedEmail = `signed.${randomBytes(4).toString('hex')}@example.test`;
    const signed = await signedPost<{ register: { user: { id: string } } }>(
      stack.auth.signingSecret,
      stack.subgraphUrls.users,
      REGISTER,
      { input: { email: signedEmail, password: TEST_PASSWORD, name: 'Signed' } },
      { 'x-client-ip': FORGED_IP },
    );
    const signedUser = expectNoErrors(signed).register.user.id;
    const AUDIT = `query($id: ID!) { auditLog(filter: { resourceId: $id }, first: 5) { edges { node { action clientIp } } } }`;
    const ipOf = async (id: string) => {
      const log = await eventually(
        () => stack.query<{ auditLog: { edges: { node: { action: string; clientIp: string | null } }[] } }>(AUDIT, { id }),
        (response) => (response.body.data?.auditLog.edges.length ?? 0) > 0,
      );
      return expectNoErrors(log).auditLog.edges[0]!.node.clientIp;
    };
    expect(await ipOf(forger)).not.toBe(FORGED_IP);
    expect(await ipOf(forger)).toMatch(/127\.0\.0\.1|::1/);
    expect(await ipOf(signedUser)).toBe(FORGED_IP);
  });
});

describe("nothing of a subgraph's HTTP answer reaches a client", () => {
  test('refreshSession with a spent token: UNAUTHENTICATED at the field, no internal URL, status or response body', async () => {
    const email = `spent.${randomBytes(4).toString('hex')}@example.test`;
    const registered = expectNoErrors(
      await stack.query<{ register: { refreshToken: string } }>(
        `mutation($i: RegisterInput!) { register(input: $i) { refreshToken } }`,
        { i: { email, password: TEST_PASSWORD, name: 'Spender' } },
        ANONYMOUS_REQUEST,
      ),
    );
    const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }`;
    expectNoErrors(await stack.query(REFRESH, { t: registered.register.refreshToken }, ANONYMOUS_REQUEST));
    const spent = await stack.query(REFRESH, { t: registered.register.refreshToken }, ANONYMOUS_REQUEST);
    expect(spent.body.data?.refreshSession ?? null).toBeNull();
    expect(spent.body.errors).toHaveLength(1);
    const [error] = spent.body.errors!;
    expect(error!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(error!.path).toEqual(['refreshSession']);
    expect(error!.message).toMatch(/already used/);
    expect(JSON.stringify(spent.body)).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\/|"response"|"status"|Unauthorized|serviceName/);
  });

  test('an unknown refresh token the same way', async () => {
    const response = await stack.query(`mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }`, { t: `${randomUUID()}.${randomBytes(32).toString('base64url')}` }, ANONYMOUS_REQUEST);
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|"response"|"status"|Unauthorized/);
  });
});
