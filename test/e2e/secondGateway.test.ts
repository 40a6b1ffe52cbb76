import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { composeSupergraph, subgraphDefinitions } from '../../schema/composeSupergraph';
import type { SubgraphName } from '../../schema/subgraphs';
import { addMember, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { startHiveGateway, type HiveGateway } from '../support/hiveGateway';
import { isAlive } from '../support/processTree';
import { graphqlPost, startStack, type GraphQLResponse, type Stack } from '../support/stack';

/**
 * Any Federation 2 gateway can serve the subgraphs: the same supergraph (composed by
 * @apollo/composition, routing to the stack's real subgraph URLs) served by Hive Gateway, an
 * independent implementation run as its own CLI in a child process, gives the same answers as the
 * product's Apollo gateway to the same operations.
 */
let stack: Stack;
let hive: HiveGateway;
let ann: string;
let bob: string;
let pager: string;
let pagedIds: string[];
/** How many null-in-non-null field errors Hive Gateway answered (each is also an ERR in its log). */
let hiveNullErrors = 0;

type Gateway = 'apollo' | 'hive';
/** Both gateways are asked as the stack's admin, who may see everything the operations read. */
const admin = () => ({ authorization: `Bearer ${stack.adminToken}` });
const urls = (): Record<Gateway, string> => ({ apollo: stack.gatewayUrl, hive: hive.url });

/** One operation through both gateways (one after the other, Apollo first, so writes-on-read such
 * as a profile made on first access cannot race). */
async function both(query: string, variables: Record<string, unknown> = {}): Promise<Record<Gateway, GraphQLResponse>> {
  const apollo = await graphqlPost<Record<string, any>>(urls().apollo, query, variables, admin());
  const hiveResponse = await graphqlPost<Record<string, any>>(urls().hive, query, variables, admin());
  return { apollo, hive: hiveResponse };
}

/**
 * Hive Gateway adds `extensions.serviceName` (the subgraph's name) to every error it forwards from
 * a subgraph. Apollo Gateway does the same, and the product's gateway removes it on purpose
 * (gateway/server.ts, formatGatewayError: clients must not learn where data lives). So that
 * extension, and only it, is dropped before comparing; everything else in an error (message,
 * code, field, path) passes through both gateways unchanged and must be equal.
 */
function withoutServiceName(response: GraphQLResponse): GraphQLResponse {
  if (!response.body.errors) return response;
  const errors = response.body.errors.map(({ extensions, ...error }) => {
    if (!extensions) return error;
    const { serviceName: _serviceName, ...rest } = extensions;
    return { ...error, extensions: rest };
  });
  return { ...response, body: { ...response.body, errors } };
}

/** Reads must be equal, status, data and errors alike. */
async function expectSameAnswer(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  const { apollo, hive: hiveResponse } = await both(query, variables);
  expect(withoutServiceName(hiveResponse)).toEqual(apollo);
  return apollo;
}

/**
 * What a client may rely on in an error (README, "What clients can rely on"): its code, the input
 * field at fault and where it sits in the response. The message text is not compared.
 */
function errorContract(response: GraphQLResponse) {
  return (response.body.errors ?? []).map((error) => ({
    path: error.path,
    code: error.extensions?.code,
    field: error.extensions?.field,
  }));
}

beforeAll(async () => {
  const started = Date.now();
  stack = await startStack();
  // The routing URLs in the supergraph are the stack's real subgraphs: Hive Gateway has no other
  // way to be told them (the Apollo gateway takes them from its environment instead).
  const services = subgraphDefinitions().map((service) => ({ ...service, url: stack.subgraphUrls[service.name as SubgraphName] }));
  const composed = composeSupergraph(services);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const stackReady = Date.now();
  hive = await startHiveGateway(composed.supergraphSdl, stack.auth.signingSecret);
  process.stderr.write(`[secondGateway] stack ${stackReady - started} ms, Hive Gateway ready in ${Date.now() - stackReady} ms\n`);

  // The data, made through the Apollo gateway as a client would.
  ann = await createUser(stack, 'Ann Example');
  bob = await createUser(stack, 'Bob Example', 'VENDOR');
  const team = await createTeam(stack, 'Platform', ann);
  await addMember(stack, team, bob, 'ADMIN');
  const shared = await createProject(stack, 'Shared API', ann, team);
  await commitVersion(stack, shared, ann, 'first');
  await commitVersion(stack, shared, bob, 'second', { types: { Order: { id: 'ID!' } } });
  await createProject(stack, 'Solo schema', ann);
  await createPayment(stack, ann, bob, '12.5', { description: 'coffee', metadata: { order: 7 } });
  await createPayment(stack, bob, ann, '1000000.01');
  expectNoErrors(
    await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "Hello", phone: "+44 20 7946 0000" }) { id } }`, { id: ann }),
  );
  pager = await createUser(stack, 'Pager');
  pagedIds = [];
  for (let i = 0; i < 5; i++) pagedIds.push(await createProject(stack, `Paged ${i}`, pager));
}, 120_000);

afterAll(async () => {
  try {
    const pid = hive?.pid;
    await hive?.stop(); // throws if any of its processes is left
    if (pid) expect(isAlive(pid)).toBe(false);
  } finally {
    await stack?.stop();
  }
});

test('Hive Gateway runs as its own process, on the supergraph file, with nothing reaching outside', () => {
  expect(hive.pid).not.toBe(process.pid);
  const log = hive.output();
  expect(log).toMatch(/Starting Hive Gateway 2\.\d+\.\d+ with supergraph/);
  expect(log).toMatch(/Loading local supergraph/);
  // No registry, uplink, CDN, usage reporting or tracing was configured.
  expect(log).not.toMatch(/uplink|GraphOS|Hive (usage|registry)|OpenTelemetry|CDN/i);
});

const DASHBOARD = `query Dashboard($id: ID!) {
  user(id: $id) {
    id name email role emailVerified createdAt
    teams { edges { cursor node { id name memberCount members { edges { node { role joinedAt user { id name } } } } } } pageInfo { hasNextPage endCursor } }
    projects {
      edges { node { id name type team { name } latestVersion { number message document author { name role } } } }
      pageInfo { hasNextPage }
    }
    profile { bio phone preferences user { name } }
    sent: payments(direction: SENT) { edges { node { id amount currency status type description metadata transactions { status } recipient { name } sender { id } } } }
    received: payments(direction: RECEIVED) { edges { node { amount currency status sender { name email } recipient { id } } } }
  }
}`;

test('the dashboard query is answered the same by both gateways', async () => {
  const response = await expectSameAnswer(DASHBOARD, { id: ann });
  const { user } = expectNoErrors(response as GraphQLResponse<{ user: any }>);
  // Not vacuous: every subgraph contributed.
  expect(user.name).toBe('Ann Example');
  expect(user.teams.edges[0].node.members.edges).toHaveLength(2);
  expect(user.projects.edges.map((edge: any) => edge.node.latestVersion?.author.name ?? null)).toEqual([null, 'Bob Example']);
  expect(user.profile).toMatchObject({ bio: 'Hello', user: { name: 'Ann Example' } });
  expect(user.sent.edges[0].node).toMatchObject({ amount: '12.50', recipient: { name: 'Bob Example' }, sender: { id: ann } });
  expect(user.received.edges[0].node).toMatchObject({ amount: '1000000.01', sender: { name: 'Bob Example' } });
  // Bob's dashboard too (his profile is made on first access, through Apollo).
  await expectSameAnswer(DASHBOARD, { id: bob });
});

test('paged lists give the same pages and cursors, followed through each gateway', async () => {
  const LIST = `query($owner: ID!, $after: String) { projects(ownerId: $owner, first: 2, after: $after) { edges { cursor node { id name owner { name } } } pageInfo { hasNextPage endCursor } } }`;
  const walk = async (gateway: Gateway) => {
    const pages: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = expectNoErrors(await graphqlPost(urls()[gateway], LIST, { owner: pager, after }, admin()));
      pages.push(data);
      if (!data.projects.pageInfo.hasNextPage) return pages;
      after = data.projects.pageInfo.endCursor;
    }
  };
  const apolloPages = await walk('apollo');
  expect(apolloPages).toHaveLength(3);
  expect(apolloPages.flatMap((page: any) => page.projects.edges.map((edge: any) => edge.node.id))).toEqual([...pagedIds].reverse());
  expect(await walk('hive')).toEqual(apolloPages);

  // Nested lists on an entity from another subgraph, and a cursor from one gateway used on the other.
  const NESTED = `query($id: ID!, $after: String) { user(id: $id) { name projects(first: 3, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } } }`;
  const first = await expectSameAnswer(NESTED, { id: pager });
  await expectSameAnswer(NESTED, { id: pager, after: (first.body.data as any).user.projects.pageInfo.endCursor });
  await expectSameAnswer(`query { users(first: 2) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`);
});

test('a dangling reference resolves the same way: null fields, or a null reference for a non-null field', async () => {
  const ghost = randomUUID();
  const projectId = randomUUID();
  const db = new Client({ connectionString: stack.databases.projectsUrl });
  await db.connect();
  try {
    // Written behind the service's back, as a legacy import or a missed delete event would.
    await db.query(`INSERT INTO projects (id, name, type, owner_id, team_id) VALUES ($1, 'Orphan', 'OTHER', $2, $3)`, [projectId, ghost, randomUUID()]);
  } finally {
    await db.end();
  }
  // Data must be equal. How the two gateways *report* an entity resolved to null where the client
  // asked for one of its non-null fields differs, legitimately:
  // - Apollo Gateway nulls the reference and records the violation only in the response's
  //   `extensions.valueCompletion` (code INVALID_GRAPHQL), with no `errors` entry;
  // - Hive Gateway does what the GraphQL spec says for a null in a non-null field: a field error
  //   in `errors` at the same path, which, not being an error a subgraph sent, it masks as
  //   "Unexpected error." / INTERNAL_SERVER_ERROR (and logs as ERR).
  // So: same data, same status, and Hive's errors sit exactly at Apollo's valueCompletion paths.
  const compare = async (query: string) => {
    const { apollo, hive: hiveResponse } = await both(query, { id: projectId });
    expect(hiveResponse.status).toBe(apollo.status);
    expect(hiveResponse.body.data).toEqual(apollo.body.data);
    expect(apollo.body.errors).toBeUndefined();
    const valueCompletion: { path: unknown[]; extensions?: { code?: string } }[] = (apollo.body as any).extensions?.valueCompletion ?? [];
    expect(valueCompletion.map((entry) => entry.extensions?.code)).toEqual(valueCompletion.map(() => 'INVALID_GRAPHQL'));
    expect((hiveResponse.body.errors ?? []).map((error) => error.path)).toEqual(valueCompletion.map((entry) => entry.path));
    expect((hiveResponse.body.errors ?? []).map((error) => error.extensions?.code)).toEqual(valueCompletion.map(() => 'INTERNAL_SERVER_ERROR'));
    expect((hiveResponse.body as any).extensions).toBeUndefined();
    hiveNullErrors += hiveResponse.body.errors?.length ?? 0;
    return { apollo, valueCompletion };
  };
  const lenient = await compare(`query($id: ID!) { project(id: $id) { name owner { id name profile { bio } } team { name } latestVersion { number } } }`);
  expect(lenient.apollo.body.data).toEqual({ project: { name: 'Orphan', owner: { id: ghost, name: null, profile: null }, team: null, latestVersion: null } });
  // The team's id points at nothing and `Team.name` is non-null; the owner's `name` is nullable.
  expect(lenient.valueCompletion.map((entry) => entry.path)).toEqual([['project', 'team', 'name']]);
  const strict = await compare(`query($id: ID!) { project(id: $id) { name owner { role email } } }`);
  expect(strict.apollo.body.data).toEqual({ project: { name: 'Orphan', owner: null } });
  expect(strict.valueCompletion.length).toBeGreaterThan(0);
});

test('an unknown id is null, not an error, through both', async () => {
  const response = await expectSameAnswer(`query($id: ID!) { user(id: $id) { name } project(id: $id) { name } team(id: $id) { name } payment(id: $id) { amount } }`, {
    id: randomUUID(),
  });
  expect(response.body).toEqual({ data: { user: null, project: null, team: null, payment: null } });
});

describe('a malformed id', () => {
  test.each([
    ['user', 'query($id: ID!) { user(id: $id) { name } }'],
    ['project', 'query($id: ID!) { project(id: $id) { name } }'],
    ['team', 'query($id: ID!) { team(id: $id) { name } }'],
    ['payment', 'query($id: ID!) { payment(id: $id) { amount } }'],
    ['user.projects', 'query($id: ID!) { user(id: $id) { projects(after: "bm90IGEgY3Vyc29y") { edges { cursor } } } }'],
  ])('%s: the same error code, field and path, and the same data', async (name, query) => {
    // A malformed id at the root; for the nested list, a malformed cursor on a real user.
    const variables = { id: name.includes('.') ? ann : '42' };
    const { apollo, hive: hiveResponse } = await both(query, variables);
    expect(errorContract(apollo)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT' })]);
    expect(errorContract(hiveResponse)).toEqual(errorContract(apollo));
    expect(hiveResponse.body.data).toEqual(apollo.body.data);
    expect(hiveResponse.status).toBe(apollo.status);
    // Beyond code, field and path, the extensions differ only by Hive Gateway's `serviceName`
    // (see withoutServiceName). The message is the subgraph's and is not compared.
    expect(hiveResponse.body.errors![0]!.extensions).toEqual({ ...apollo.body.errors![0]!.extensions, serviceName: expect.any(String) });
  });

  test('inside a mutation input', async () => {
    const { apollo, hive: hiveResponse } = await both(`mutation { createProject(input: { name: "P", type: GRAPHQL, teamId: "nope" }) { id } }`);
    expect(errorContract(apollo)).toEqual([{ path: ['createProject'], code: 'BAD_USER_INPUT', field: 'input.teamId' }]);
    expect(errorContract(hiveResponse)).toEqual(errorContract(apollo));
    expect(hiveResponse.body.data).toEqual(apollo.body.data);
    expect(hiveResponse.body.errors![0]!.extensions).toEqual({ ...apollo.body.errors![0]!.extensions, serviceName: 'projects' });
  });
});

test('a mutation through each gateway, with its own inputs, gives a result of the same shape', async () => {
  const PAY = `mutation($input: CreatePaymentInput!) {
    createPayment(input: $input) { id amount currency status type description metadata sender { id name } recipient { name role } transactions { id status } createdAt }
  }`;
  const pay = (gateway: Gateway) =>
    graphqlPost<{ createPayment: any }>(
      urls()[gateway],
      PAY,
      { input: { recipientId: bob, amount: '7.25', currency: 'EUR', description: `via ${gateway}`, idempotencyKey: `second-gateway-${gateway}` } },
      as(ann),
    );
  const apollo = expectNoErrors(await pay('apollo')).createPayment;
  const viaHive = expectNoErrors(await pay('hive')).createPayment;
  // What differs by construction: the new ids, the creation time, and the description we chose.
  const shape = (payment: any) => ({
    ...payment,
    id: typeof payment.id,
    createdAt: typeof payment.createdAt,
    description: payment.description.replace(/^via \w+$/, 'via <gateway>'),
    transactions: payment.transactions.map((transaction: any) => ({ ...transaction, id: typeof transaction.id })),
  });
  expect(shape(viaHive)).toEqual(shape(apollo));
  expect(viaHive.id).not.toBe(apollo.id);
  expect(shape(apollo)).toMatchObject({ amount: '7.25', status: 'PENDING', sender: { id: ann, name: 'Ann Example' }, recipient: { name: 'Bob Example' } });
  // The payment Hive Gateway made is really there: each gateway reads it back the same.
  await expectSameAnswer(`query($id: ID!) { payment(id: $id) { id amount description sender { name } recipient { name } } }`, { id: viaHive.id });
  // And the idempotent retry through the other gateway returns it.
  const retry = await graphqlPost<{ createPayment: any }>(
    urls().apollo,
    PAY,
    { input: { recipientId: bob, amount: '7.25', currency: 'EUR', description: 'via hive', idempotencyKey: 'second-gateway-hive' } },
    as(ann),
  );
  expect(expectNoErrors(retry).createPayment.id).toBe(viaHive.id);
});

test('Hive Gateway logged nothing unexpected: no warning, no failed outbound call, only the spec-mandated null error', () => {
  // Runs last. With no internet here, any attempt to reach a registry, uplink or collector would
  // show up as a warning or an error in its log.
  const problems = hive
    .output()
    .split('\n')
    .filter((line) => /^\S+ (WRN|ERR)\b/.test(line));
  expect(problems).toHaveLength(hiveNullErrors);
  expect(problems.every((line) => / ERR\s*$/.test(line))).toBe(true);
  expect(hive.output().match(/message: "Cannot return null for non-nullable field/g) ?? []).toHaveLength(hiveNullErrors);
});
