import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type ObjectTypeDefinitionNode } from 'graphql';
import { eventually } from '../support/eventually';
import { ANONYMOUS_REQUEST, as, createUser, expectNoErrors } from '../support/fixtures';
import { startStack, TEST_PASSWORD, type GraphQLResponse, type Stack } from '../support/stack';

/**
 * The audit trail through the real gateway: every successful mutation of all five services leaves
 * exactly one entry (with actor, action, resource, time, client address and user agent), failed
 * and denied ones none; admins read it with filters and cursor pagination.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

interface Entry {
  id: string;
  occurredAt: string;
  service: string;
  actorType: string;
  actorId: string | null;
  actor: { id: string } | null;
  actorTeamId: string | null;
  action: string;
  resourceType: string;
  resourceId: string;
  clientIp: string | null;
  userAgent: string | null;
  requestId: string;
}

const ENTRY = 'id occurredAt service actorType actorId actor { id } actorTeamId action resourceType resourceId clientIp userAgent requestId';

interface AuditLogPage {
  auditLog: { edges: { cursor: string; node: Entry }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

async function auditLog(filter: Record<string, unknown> = {}, first = 100, after: string | null = null, headers?: Record<string, string>) {
  return stack.query<AuditLogPage>(
    `query($filter: AuditLogFilter, $first: Int, $after: String) { auditLog(filter: $filter, first: $first, after: $after) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } } }`,
    { filter, first, after },
    headers,
  );
}

/** Every entry matching `filter`, page after page. */
async function allEntries(filter: Record<string, unknown>, pageSize = 100): Promise<Entry[]> {
  const entries: Entry[] = [];
  let after: string | null = null;
  for (;;) {
    const page: AuditLogPage['auditLog'] = expectNoErrors(await auditLog(filter, pageSize, after)).auditLog;
    entries.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) return entries;
    after = page.pageInfo.endCursor;
  }
}

interface Expected {
  action: string;
  resourceType: string;
  resourceId: string;
  actorType: string;
  actorId: string | null;
  service: string;
}

/** The public graph's mutations (the ones a client can call). */
function supergraphMutations(): string[] {
  const document = parse(readFileSync(join(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'));
  const mutation = document.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === 'ObjectTypeDefinition' && d.name.value === 'Mutation')!;
  return mutation.fields!.filter((field) => !field.directives?.some((d) => d.name.value === 'inaccessible')).map((field) => field.name.value);
}

test('every successful mutation, in every service, leaves exactly one audit entry; failed and denied ones none', async () => {
  const startedAt = new Date(Date.now() - 1000).toISOString();
  const runId = randomUUID().slice(0, 8);
  const expected = new Map<string, Expected>();
  const denied: string[] = [];
  const admin = expectNoErrors(await stack.query<{ me: { id: string } }>('{ me { id } }')).me.id;

  /** Sends one mutation with its own request id and user agent. */
  async function mutate<T>(name: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ requestId: string; response: GraphQLResponse<T> }> {
    const requestId = `${runId}-${name}-${expected.size + denied.length}`;
    const response = await stack.query<T>(query, variables, { 'x-request-id': requestId, 'user-agent': `audit-test/${name}`, ...headers });
    return { requestId, response };
  }
  async function succeeds<T>(
    name: string,
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
    expect_: (data: T) => Omit<Expected, 'action'>,
  ): Promise<T> {
    const { requestId, response } = await mutate<T>(name, query, variables, headers);
    const data = expectNoErrors(response);
    expected.set(requestId, { action: name, ...expect_(data) });
    return data;
  }
  async function fails(name: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    const { requestId, response } = await mutate(name, query, variables, headers);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    denied.push(requestId);
  }
  const user = (service: string, id: string) => ({ actorType: 'USER', actorId: id, service });

  // users
  const email = `audited.${runId}@example.test`;
  const registered = await succeeds<{ register: { user: { id: string }; refreshToken: string } }>(
    'register', `mutation($i: RegisterInput!) { register(input: $i) { user { id } refreshToken } }`, { i: { email, password: TEST_PASSWORD, name: 'Audited' } }, ANONYMOUS_REQUEST,
    (d) => ({ ...user('users', d.register.user.id), resourceType: 'User', resourceId: d.register.user.id }),
  );
  const me = registered.register.user.id;
  const loggedIn = await succeeds<{ login: { accessToken: string; refreshToken: string } }>(
    'login', `mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }`, { i: { email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST,
    () => ({ ...user('users', me), resourceType: 'User', resourceId: me }),
  );
  const mine = { authorization: `Bearer ${loggedIn.login.accessToken}` };
  const refreshed = await succeeds<{ refreshSession: { refreshToken: string } }>(
    'refreshSession', `mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }`, { t: loggedIn.login.refreshToken }, ANONYMOUS_REQUEST,
    () => ({ ...user('users', me), resourceType: 'User', resourceId: me }),
  );
  await succeeds('logout', `mutation($t: String!) { logout(refreshToken: $t) }`, { t: refreshed.refreshSession.refreshToken }, ANONYMOUS_REQUEST,
    () => ({ ...user('users', me), resourceType: 'User', resourceId: me }));
  const created = await succeeds<{ createUser: { id: string } }>(
    'createUser', `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { email: `made.${runId}@example.test`, password: TEST_PASSWORD, name: 'Made' } }, {},
    (d) => ({ ...user('users', admin), resourceType: 'User', resourceId: d.createUser.id }),
  );
  await succeeds('updateUser', `mutation($id: ID!) { updateUser(id: $id, input: { name: "Renamed" }) { id } }`, { id: me }, mine,
    () => ({ ...user('users', me), resourceType: 'User', resourceId: me }));
  await fails('login', `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { email, password: 'wrong password!' } }, ANONYMOUS_REQUEST);
  await fails('updateUser', `mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { id } }`, { id: me }, mine);
  await fails('register', `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, { i: { email, password: TEST_PASSWORD, name: 'Again' } }, ANONYMOUS_REQUEST);

  // teams
  const other = await createUser(stack, 'Member');
  const team = (await succeeds<{ createTeam: { id: string } }>('createTeam', `mutation { createTeam(input: { name: "Audited team" }) { id } }`, {}, mine,
    (d) => ({ ...user('teams', me), resourceType: 'Team', resourceId: d.createTeam.id }))).createTeam.id;
  const onTeam = () => ({ ...user('teams', me), resourceType: 'Team', resourceId: team });
  await succeeds('renameTeam', `mutation($id: ID!) { renameTeam(id: $id, name: "Renamed team") { id } }`, { id: team }, mine, onTeam);
  await succeeds('addTeamMember', `mutation($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u, role: MEMBER) { id } }`, { t: team, u: other }, mine, onTeam);
  await succeeds('changeTeamMemberRole', `mutation($t: ID!, $u: ID!) { changeTeamMemberRole(teamId: $t, userId: $u, role: ADMIN) { id } }`, { t: team, u: other }, mine, onTeam);
  await fails('removeTeamMember', `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { id } }`, { t: team, u: me }, mine); // the last OWNER
  const token = (await succeeds<{ createTeamToken: { token: string; teamToken: { id: string } } }>(
    'createTeamToken', `mutation($t: ID!) { createTeamToken(teamId: $t, name: "CI") { token teamToken { id } } }`, { t: team }, mine,
    (d) => ({ ...user('teams', me), resourceType: 'TeamToken', resourceId: d.createTeamToken.teamToken.id }),
  )).createTeamToken;

  // projects (one version committed by the team's token)
  const project = (await succeeds<{ createProject: { id: string } }>('createProject', `mutation($t: ID!) { createProject(input: { name: "Audited", type: GRAPHQL, teamId: $t }) { id } }`, { t: team }, mine,
    (d) => ({ ...user('projects', me), resourceType: 'Project', resourceId: d.createProject.id }))).createProject.id;
  await succeeds('updateProject', `mutation($id: ID!) { updateProject(id: $id, input: { name: "Renamed project" }) { id } }`, { id: project }, mine,
    () => ({ ...user('projects', me), resourceType: 'Project', resourceId: project }));
  const commit = `mutation($p: ID!) { commitProjectVersion(input: { projectId: $p, document: { a: 1 }, message: "m" }) { id } }`;
  await succeeds<{ commitProjectVersion: { id: string } }>('commitProjectVersion', commit, { p: project }, mine,
    (d) => ({ ...user('projects', me), resourceType: 'ProjectVersion', resourceId: d.commitProjectVersion.id }));
  const byToken = await mutate<{ commitProjectVersion: { id: string } }>('commitProjectVersion', commit, { p: project }, { authorization: `Bearer ${token.token}` });
  expected.set(byToken.requestId, {
    action: 'commitProjectVersion', service: 'projects', actorType: 'TEAM_TOKEN', actorId: token.teamToken.id,
    resourceType: 'ProjectVersion', resourceId: expectNoErrors(byToken.response).commitProjectVersion.id,
  });
  const stranger = await createUser(stack, 'Stranger');
  await fails('deleteProject', `mutation($id: ID!) { deleteProject(id: $id) }`, { id: project }, as(stranger));
  await succeeds('revokeTeamToken', `mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id } }`, { t: team, k: token.teamToken.id }, mine,
    () => ({ ...user('teams', me), resourceType: 'TeamToken', resourceId: token.teamToken.id }));
  await succeeds('removeTeamMember', `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { id } }`, { t: team, u: other }, mine, onTeam);
  await succeeds('deleteProject', `mutation($id: ID!) { deleteProject(id: $id) }`, { id: project }, mine,
    () => ({ ...user('projects', me), resourceType: 'Project', resourceId: project }));
  await succeeds('deleteTeam', `mutation($id: ID!) { deleteTeam(id: $id) }`, { id: team }, mine, onTeam);

  // payments (the idempotent replay is the same payment, not a second change)
  const pay = `mutation($r: ID!) { createPayment(input: { recipientId: $r, amount: "5.00", currency: "EUR", idempotencyKey: "audit-${runId}" }) { id } }`;
  const payment = (await succeeds<{ createPayment: { id: string } }>('createPayment', pay, { r: other }, mine,
    (d) => ({ ...user('payments', me), resourceType: 'Payment', resourceId: d.createPayment.id }))).createPayment.id;
  const replay = await mutate('createPayment', pay, { r: other }, mine);
  expect(expectNoErrors(replay.response)).toEqual({ createPayment: { id: payment } });
  denied.push(replay.requestId);
  await fails('updatePaymentStatus', `mutation($id: ID!) { updatePaymentStatus(id: $id, status: COMPLETED) { id } }`, { id: payment }, mine);
  await succeeds('updatePaymentStatus', `mutation($id: ID!) { updatePaymentStatus(id: $id, status: CANCELLED) { id } }`, { id: payment }, mine,
    () => ({ ...user('payments', me), resourceType: 'Payment', resourceId: payment }));

  // profiles
  await succeeds<{ updateProfile: { id: string } }>('updateProfile', `mutation($u: ID!) { updateProfile(userId: $u, input: { bio: "hi" }) { id } }`, { u: me }, mine,
    (d) => ({ ...user('profiles', me), resourceType: 'UserProfile', resourceId: d.updateProfile.id }));
  await fails('updateProfile', `mutation($u: ID!) { updateProfile(userId: $u, input: { phone: "not a phone" }) { id } }`, { u: me }, mine);

  // users, last: ending every session of a user (the admin, for the one it made; a stranger may
  // not), and deleting an account (the admin deletes the one it made)
  await fails('logoutEverywhere', `mutation($id: ID) { logoutEverywhere(userId: $id) }`, { id: created.createUser.id }, as(stranger));
  await succeeds('logoutEverywhere', `mutation($id: ID) { logoutEverywhere(userId: $id) }`, { id: created.createUser.id }, {},
    () => ({ ...user('users', admin), resourceType: 'User', resourceId: created.createUser.id }));
  await succeeds('deleteUser', `mutation($id: ID!) { deleteUser(id: $id) }`, { id: created.createUser.id }, {},
    () => ({ ...user('users', admin), resourceType: 'User', resourceId: created.createUser.id }));

  // Every mutation of the public graph was made at least once here.
  expect([...new Set([...expected.values()].map((e) => e.action))].sort()).toEqual(supergraphMutations().sort());

  // The entries travel as events: wait until all are there, then a little longer for any extra.
  const ours = (entries: Entry[]) => entries.filter((entry) => entry.requestId.startsWith(`${runId}-`));
  await eventually(async () => ours(await allEntries({ from: startedAt })), (entries) => entries.length >= expected.size, 30_000, 200);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const entries = ours(await allEntries({ from: startedAt }, 7));
  const byRequest = new Map<string, Entry[]>();
  for (const entry of entries) byRequest.set(entry.requestId, [...(byRequest.get(entry.requestId) ?? []), entry]);
  for (const requestId of denied) expect({ requestId, entries: byRequest.get(requestId) ?? [] }).toEqual({ requestId, entries: [] });
  for (const [requestId, want] of expected) {
    const got = byRequest.get(requestId) ?? [];
    expect({ requestId, count: got.length }).toEqual({ requestId, count: 1 });
    expect(got[0]).toMatchObject({ ...want, userAgent: `audit-test/${want.action}`, actorTeamId: want.actorType === 'TEAM_TOKEN' ? team : null });
    expect(got[0]!.clientIp).toMatch(/127\.0\.0\.1|::1/);
    expect(new Date(got[0]!.occurredAt).getTime()).toBeGreaterThanOrEqual(new Date(startedAt).getTime());
  }
  expect(entries).toHaveLength(expected.size);

  // The acting user resolves while it exists; the deleted one's entries keep its id.
  const registerEntry = entries.find((entry) => entry.action === 'register')!;
  expect(registerEntry.actor).toEqual({ id: me });
});

test('admins filter the log by actor, action, resource and time, a page at a time', async () => {
  const ann = await createUser(stack, 'Ann');
  const project = expectNoErrors(await stack.query<{ createProject: { id: string } }>(`mutation { createProject(input: { name: "Filtered", type: REST }) { id } }`, {}, as(ann))).createProject.id;
  for (let i = 0; i < 5; i++) {
    expectNoErrors(await stack.query(`mutation($id: ID!, $n: String!) { updateProject(id: $id, input: { name: $n }) { id } }`, { id: project, n: `Name ${i}` }, as(ann)));
  }
  const onProject = { resourceType: 'Project', resourceId: project };
  const all = await eventually(() => allEntries(onProject), (entries) => entries.length === 6);
  expect(all.map((entry) => entry.action)).toEqual([...Array(5).fill('updateProject'), 'createProject']);
  expect(all.every((entry) => entry.actorId === ann)).toBe(true);
  // Newest first; pages of two are disjoint and add up to the whole.
  const times = all.map((entry) => entry.occurredAt);
  expect([...times].sort().reverse()).toEqual(times);
  expect((await allEntries(onProject, 2)).map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));

  expect((await allEntries({ actorId: ann, action: 'createProject' })).map((entry) => entry.resourceId)).toEqual([project]);
  expect((await allEntries({ actorId: ann })).map((entry) => entry.action)).toEqual(expect.arrayContaining(['register', 'createProject', 'updateProject']));
  // A time range: [from, to) around the middle entries.
  const range = await allEntries({ ...onProject, from: all[4]!.occurredAt, to: all[1]!.occurredAt });
  expect(range.map((entry) => entry.id)).toEqual(all.slice(2, 5).filter((entry) => entry.occurredAt >= all[4]!.occurredAt && entry.occurredAt < all[1]!.occurredAt).map((entry) => entry.id));
  expect(range.length).toBeGreaterThan(0);
});

test('only admins read the log, and bad filters are named', async () => {
  const reader = await createUser(stack, 'Reader');
  expect((await auditLog({}, 5, null, as(reader))).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await auditLog({}, 5, null, ANONYMOUS_REQUEST)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const badActor = await auditLog({ actorId: 'nope' });
  expect(badActor.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'filter.actorId' } });
  const backwards = await auditLog({ from: '2026-01-02T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' });
  expect(backwards.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'filter.to' } });
  expect((await auditLog({}, 5, 'not-a-cursor')).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});
