import { randomBytes } from 'node:crypto';
import { addMember, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { testExecutorEnv } from '../support/executorEnv';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver';
import { startStack, type Stack } from '../support/stack';

/**
 * Traces of the real product (five subgraphs on their databases, the real gateway, events through
 * the outbox) exported over OTLP/HTTP to a receiver in this test.
 */
const DASHBOARD = `query Dashboard($id: ID!) {
  user(id: $id) {
    id name
    teams { edges { node { name members { edges { node { role user { name } } } } } } }
    projects { edges { node { name latestVersion { number author { name } } } } }
    profile { bio }
    sent: payments(direction: SENT) { edges { node { amount recipient { name } } } }
  }
}`;

const SUBGRAPHS = ['users', 'teams', 'projects', 'payments', 'profiles'];

/** The instrumentation scopes of the gateway's spans: its own executor's, and Apollo Gateway's. */
const OURS = 'schemaflow';
const APOLLO = 'apollo/gateway-js';
/** Which executor runs the plans in this run (GATEWAY_EXECUTOR; `fast` by default). */
const EXECUTOR = testExecutorEnv().GATEWAY_EXECUTOR ?? 'fast';

let receiver: OtlpReceiver;
let stack: Stack;
let ann: string;
let bob: string;

function newTraceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

function traceOf(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((span) => span.traceId === traceId);
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack({ tracing: { endpoint: receiver.endpoint, sampler: 'parentbased_always_on', ratio: 1, scheduleDelayMs: 100 } });
  ann = await createUser(stack, 'Ann Example');
  bob = await createUser(stack, 'Bob Example', 'VENDOR');
  const team = await createTeam(stack, 'Platform', ann);
  await addMember(stack, team, bob, 'ADMIN');
  const project = await createProject(stack, 'Shared API', ann, team);
  await commitVersion(stack, project, bob, 'first');
  await createPayment(stack, ann, bob, '12.5');
  expectNoErrors(await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "Hello" }) { id } }`, { id: ann }));
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

test('a dashboard query is one trace: gateway request, plan, every fetch, every subgraph, its resolvers and database calls', async () => {
  const client = newTraceparent();
  const { user } = expectNoErrors(await stack.query<{ user: any }>(DASHBOARD, { id: ann }, { traceparent: client.header }));
  expect(user.projects.edges[0].node.latestVersion.author.name).toBe('Bob Example');
  await stack.tracing.flush();
  const spans = await eventually(
    async () => traceOf(client.traceId),
    (found) => SUBGRAPHS.every((service) => found.some((span) => span.service === service && span.name.startsWith('resolve '))),
  );
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);

  // The gateway's request span continues the client's traceparent; the executor's spans nest in it.
  const root = spans.find((span) => span.service === 'gateway' && span.name === 'POST /graphql')!;
  expect(root).toBeDefined();
  expect(root.parentSpanId).toBe(client.parentId);
  const request = spans.find((span) => span.name === 'gateway.request')!;
  expect(request.parentSpanId).toBe(root.spanId);
  expect(request.attributes).toMatchObject({ 'graphql.operation.name': 'Dashboard', 'graphql.operation.type': 'query' });
  const plan = spans.find((span) => span.name === 'gateway.plan')!;
  expect(parentOf(plan)).toBe(request);
  const execute = spans.find((span) => span.name === 'gateway.execute')!;
  expect(parentOf(execute)).toBe(request);
  const postprocessing = spans.find((span) => span.name === 'gateway.postprocessing')!;
  expect(parentOf(postprocessing)).toBe(execute);
  // Made by the gateway's own executor (not Apollo's); in differential mode Apollo's executeQueryPlan
  // runs the real fetches (and makes execute / fetch / postprocessing), ours replays them untraced.
  const gatewaySpans = spans.filter((span) => span.name.startsWith('gateway.'));
  expect(gatewaySpans.filter((span) => span.name === 'gateway.execute')).toHaveLength(1);
  if (EXECUTOR === 'fast') for (const span of gatewaySpans) expect(span).toMatchObject({ scope: OURS });
  if (EXECUTOR === 'differential') {
    expect([request.scope, plan.scope]).toEqual([OURS, OURS]);
    expect(execute.scope).toBe(APOLLO);
  }
  if (EXECUTOR === 'apollo') for (const span of gatewaySpans) expect(span).toMatchObject({ scope: APOLLO });

  for (const service of SUBGRAPHS) {
    // Every fetch to the subgraph: the executor's gateway.fetch, the client's span in it, the subgraph's request span in that.
    const fetches = spans.filter((span) => span.name === `POST ${service}` && span.service === 'gateway');
    expect(fetches.length).toBeGreaterThan(0);
    for (const fetch of fetches) {
      expect(parentOf(fetch)).toMatchObject({ name: 'gateway.fetch', attributes: { service } });
      expect(parentOf(parentOf(fetch)!)).toBe(execute);
      const served = spans.filter((span) => span.parentSpanId === fetch.spanId);
      expect(served).toEqual([expect.objectContaining({ service, name: 'POST /graphql', kind: 2 })]);
      const resolvers = spans.filter((span) => span.parentSpanId === served[0]!.spanId && span.name.startsWith('resolve '));
      expect(resolvers.length).toBeGreaterThan(0);
    }
    // Its database calls, each inside a resolver of that subgraph.
    const database = spans.filter((span) => span.service === service && /^(postgresql|mongodb) /.test(span.name));
    expect(database.length).toBeGreaterThan(0);
    for (const call of database) {
      const parent = parentOf(call)!;
      expect(parent.service).toBe(service);
      expect(parent.name).toMatch(/^resolve /);
    }
  }
  // The dashboard's fetches to users at one depth of the plan go as one request: its span says how many it carries.
  if (EXECUTOR === 'fast') {
    expect(spans.filter((span) => span.name === 'gateway.fetch' && span.attributes['gateway.fetch.merged'] === undefined).length).toBeGreaterThan(0);
    expect(spans.find((span) => span.name === 'gateway.fetch' && (span.attributes['gateway.fetch.merged'] as number) > 1)).toMatchObject({ attributes: { service: 'users' } });
  }
  // The users subgraph answers the root field; the others the entities the plan asks of them.
  expect(spans.some((span) => span.service === 'users' && span.name === 'resolve Query.user')).toBe(true);
  expect(spans.some((span) => span.service === 'projects' && span.name === 'resolve Query._entities')).toBe(true);
  // Every span of the trace hangs from the client's parent: none is orphaned.
  for (const span of spans) if (span !== root) expect(byId.has(span.parentSpanId)).toBe(true);
});

test("deleteUser's trace continues into every consumer of user.deleted", async () => {
  const doomed = await createUser(stack, 'Doomed Example');
  const team = await createTeam(stack, 'Short lived', doomed);
  await createProject(stack, 'Soon orphaned', doomed, team);
  expectNoErrors(await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "soon gone" }) { id } }`, { id: doomed }, as(doomed)));
  const client = newTraceparent();
  expectNoErrors(await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: doomed }, { ...as(doomed), traceparent: client.header }));

  const consumers = ['teams', 'projects', 'profiles'];
  const spans = await eventually(
    async () => {
      await stack.tracing.flush();
      return traceOf(client.traceId);
    },
    (found) => consumers.every((service) => found.some((span) => span.service === service && span.name === 'process user.deleted')),
    30_000,
    200,
  );
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const mutation = spans.find((span) => span.service === 'users' && span.name === 'resolve Mutation.deleteUser')!;
  expect(mutation).toBeDefined();
  const withinMutation = (span: ReceivedSpan | undefined): boolean => !!span && (span === mutation || withinMutation(byId.get(span.parentSpanId)));
  for (const service of consumers) {
    const processed = spans.filter((span) => span.service === service && span.name === 'process user.deleted');
    expect(processed).toHaveLength(1);
    const consumer = processed[0]!;
    expect(consumer).toMatchObject({ kind: 5, attributes: { 'messaging.destination.name': 'user.deleted', 'messaging.consumer.group.name': service } });
    // Its parent is the span that wrote the event, inside the mutation's resolver.
    expect(withinMutation(byId.get(consumer.parentSpanId))).toBe(true);
    // The consumer's own database work is inside its span.
    expect(spans.some((span) => span.parentSpanId === consumer.spanId && span.service === service && /^(postgresql|mongodb) /.test(span.name))).toBe(true);
  }
});
