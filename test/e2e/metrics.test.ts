import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { EventTransport } from '../../lib/events/EventTransport';
import { PostgresTransport } from '../../lib/events/PostgresTransport';
import { SUBGRAPHS, type SubgraphName } from '../../schema/subgraphs';
import { eventually } from '../support/eventually';
import { createPayment, createProject, createUser, expectNoErrors } from '../support/fixtures';
import { Scrape } from '../support/scrape';
import { dropDatabase, freshDatabase, startStack, TEST_PASSWORD, type Stack } from '../support/stack';

/**
 * Every process of the real stack serves Prometheus metrics at /metrics; a known workload moves
 * exactly the counters it should: the gateway's requests and fetches per subgraph, each service's
 * database calls, the outboxes and consumers of domain events, and a stopped subgraph's failures
 * and breaker.
 */

/** The events transport with two switches: publishing refused (the broker is "down"), and deliveries held. */
class GatedTransport implements EventTransport {
  publishing = true;
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;

  constructor(private readonly inner: EventTransport) {}

  holdDeliveries(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  releaseDeliveries(): void {
    this.release?.();
    this.held = null;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (!this.publishing) throw new Error('publishing is switched off by the test');
    await this.inner.publish(events);
  }

  subscribe: EventTransport['subscribe'] = (consumer, types, handler, options) =>
    this.inner.subscribe(
      consumer,
      types,
      async (event, delivery) => {
        if (this.held) await this.held;
        await handler(event, delivery);
      },
      options,
    );

  deadLetters: EventTransport['deadLetters'] = (consumer) => this.inner.deadLetters(consumer);
  oldestUnfinished = (consumer: string, types: readonly string[]) => this.inner.oldestUnfinished!(consumer, types);

  close(): Promise<void> {
    this.releaseDeliveries();
    return this.inner.close();
  }
}

const DASHBOARD = `query Dashboard($id: ID!) {
  user(id: $id) {
    name
    projects { edges { node { name } } }
    payments { edges { node { amount } } }
    profile { bio }
  }
}`;

let stack: Stack;
let events: GatedTransport;
let eventsUrl: string;
let ann: string;
/** Request-time database queries each service made, as the stack's query hook counts them. */
const queries = new Map<SubgraphName, number>();

const origin = (url: string) => new URL(url).origin;
const gateway = () => Scrape.of(origin(stack.gatewayUrl));
const subgraph = (name: SubgraphName) => Scrape.of(origin(stack.subgraphUrls[name]));
const scrapeAll = async () => ({
  gateway: await gateway(),
  ...(Object.fromEntries(await Promise.all(SUBGRAPHS.map(async ({ name }) => [name, await subgraph(name)]))) as Record<SubgraphName, Scrape>),
});

beforeAll(async () => {
  eventsUrl = await freshDatabase('events');
  stack = await startStack({
    events: async () => (events = new GatedTransport(await PostgresTransport.connect(eventsUrl, { pollIntervalMs: 50 }))),
    onQuery: (service) => queries.set(service, (queries.get(service) ?? 0) + 1),
    // The breaker opens after 3 failed fetches (not 10), and readiness is asked every 200 ms.
    gatewayEnv: { SUBGRAPH_BREAKER_VOLUME: '3', READINESS_POLL_MS: '200', STATUS_PAGE: 'true' },
  });
  ann = await createUser(stack, 'Ann');
  const bob = await createUser(stack, 'Bob');
  await createProject(stack, 'Metered', ann);
  await createPayment(stack, ann, bob, '3.00');
}, 120_000);

afterAll(async () => {
  // Held deliveries would keep the consumers from stopping.
  events?.releaseDeliveries();
  await stack?.stop();
  if (eventsUrl) await dropDatabase(eventsUrl);
});

test('every process serves its metrics, with the process metrics and its own families', async () => {
  const all = await scrapeAll();
  for (const scrape of Object.values(all)) {
    expect(scrape.sum('process_start_time_seconds')).toBeGreaterThan(0);
    expect(scrape.has('process_resident_memory_bytes')).toBe(true);
  }
  expect(all.gateway.has('schemaflow_gateway_requests_total')).toBe(true);
  expect(all.users.sum('schemaflow_database_query_duration_seconds_count', { store: 'mongodb' })).toBeGreaterThan(0);
  expect(all.projects.sum('schemaflow_database_query_duration_seconds_count', { store: 'postgresql' })).toBeGreaterThan(0);
  for (const { name } of SUBGRAPHS) expect(all[name].has('schemaflow_outbox_depth')).toBe(true);
});

test('a dashboard query moves exactly the counters it should', async () => {
  // The first run plans the operation (a plan-cache miss); the measured one finds its plan.
  expectNoErrors(await stack.query(DASHBOARD, { id: ann }));
  const before = await scrapeAll();
  queries.clear();
  expectNoErrors(await stack.query(DASHBOARD, { id: ann }));
  const after = await scrapeAll();

  const g = after.gateway;
  expect(g.delta(before.gateway, 'schemaflow_gateway_requests_total')).toBe(1);
  expect(g.delta(before.gateway, 'schemaflow_gateway_requests_total', { operation: 'Dashboard', outcome: 'success' })).toBe(1);
  expect(g.delta(before.gateway, 'schemaflow_gateway_request_duration_seconds_count', { operation: 'Dashboard' })).toBe(1);
  expect(g.delta(before.gateway, 'schemaflow_gateway_errors_total')).toBe(0);
  expect(g.delta(before.gateway, 'schemaflow_query_plan_cache_requests_total', { result: 'hit' })).toBe(1);
  expect(g.delta(before.gateway, 'schemaflow_query_plan_cache_requests_total', { result: 'miss' })).toBe(0);
  // The plan: the user from users, then one entity fetch each to projects, payments and profiles.
  const fetches = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, g.delta(before.gateway, 'schemaflow_subgraph_fetch_duration_seconds_count', { subgraph: name })]));
  expect(fetches).toEqual({ users: 1, teams: 0, projects: 1, payments: 1, profiles: 1 });
  expect(g.delta(before.gateway, 'schemaflow_subgraph_fetch_failures_total')).toBe(0);

  // Each service's request-time database calls are the ones its driver hook saw (none for teams,
  // unless another service asked it), and background work (relays, consumers) is kept apart.
  for (const { name } of SUBGRAPHS) {
    const calls = after[name].delta(before[name], 'schemaflow_database_query_duration_seconds_count', { work: 'request' });
    expect({ service: name, calls }).toEqual({ service: name, calls: queries.get(name) ?? 0 });
  }
  for (const name of ['users', 'projects', 'payments', 'profiles'] as const) expect(queries.get(name) ?? 0).toBeGreaterThan(0);
  // Times are in seconds: the whole request took well under 10 s, and something above nothing.
  for (const [scrape, previous, family] of [
    [g, before.gateway, 'schemaflow_gateway_request_duration_seconds_sum'],
    [g, before.gateway, 'schemaflow_subgraph_fetch_duration_seconds_sum'],
    [after.projects, before.projects, 'schemaflow_database_query_duration_seconds_sum'],
    [after.users, before.users, 'schemaflow_database_query_duration_seconds_sum'],
  ] as const) {
    const seconds = scrape.delta(previous, family);
    expect({ family, positive: seconds > 0, underTen: seconds < 10 }).toEqual({ family, positive: true, underTen: true });
  }
});

test('an anonymous operation and a refused one are counted without their names', async () => {
  const before = await gateway();
  await stack.query('{ __typename }');
  await stack.query('query Broken { nope }');
  const after = await gateway();
  expect(after.delta(before, 'schemaflow_gateway_requests_total', { operation: 'anonymous', outcome: 'success' })).toBe(1);
  // Refused in validation: no operation was resolved, so its name never becomes a label.
  expect(after.delta(before, 'schemaflow_gateway_requests_total', { operation: 'none', outcome: 'client_error' })).toBe(1);
  expect(after.delta(before, 'schemaflow_gateway_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
  expect(after.samples.some((sample) => sample.labels.operation === 'Broken')).toBe(false);
});

test("an event's outbox depth and lag appear while it cannot be published, and drain once it can", async () => {
  events.publishing = false;
  const registered = await stack.query(
    `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`,
    { input: { email: 'metered@example.test', password: TEST_PASSWORD, name: 'Metered' } },
    { authorization: '' },
  );
  expectNoErrors(registered);
  const waiting = await eventually(
    () => subgraph('users'),
    (scrape) => scrape.sum('schemaflow_outbox_depth', { service: 'users' }) >= 1 && scrape.sum('schemaflow_outbox_oldest_event_age_seconds', { service: 'users' }) >= 0.5,
  );
  expect(waiting.sum('schemaflow_outbox_depth', { service: 'users' })).toBeGreaterThanOrEqual(1);
  expect(waiting.sum('schemaflow_outbox_oldest_event_age_seconds', { service: 'users' })).toBeGreaterThanOrEqual(0.5);

  // Published now, but the consumers are held: profiles' lag for user.registered grows.
  const profilesBefore = await subgraph('profiles');
  events.holdDeliveries();
  events.publishing = true;
  const drained = await eventually(
    () => subgraph('users'),
    (scrape) => scrape.sum('schemaflow_outbox_depth', { service: 'users' }) === 0,
  );
  expect(drained.sum('schemaflow_outbox_depth', { service: 'users' })).toBe(0);
  expect(drained.sum('schemaflow_outbox_oldest_event_age_seconds', { service: 'users' })).toBe(0);
  const lagging = await eventually(
    () => subgraph('profiles'),
    (scrape) => scrape.sum('schemaflow_event_consumer_lag_seconds', { consumer: 'profiles' }) >= 1,
  );
  expect(lagging.sum('schemaflow_event_consumer_lag_seconds', { consumer: 'profiles' })).toBeGreaterThanOrEqual(1);

  events.releaseDeliveries();
  const caughtUp = await eventually(
    () => subgraph('profiles'),
    (scrape) => scrape.sum('schemaflow_event_consumer_lag_seconds', { consumer: 'profiles' }) === 0,
  );
  expect(caughtUp.sum('schemaflow_event_consumer_lag_seconds', { consumer: 'profiles' })).toBe(0);
  expect(caughtUp.delta(profilesBefore, 'schemaflow_events_handled_total', { consumer: 'profiles', outcome: 'success' })).toBeGreaterThanOrEqual(1);
  expect(caughtUp.delta(profilesBefore, 'schemaflow_event_delivery_delay_seconds_count', { consumer: 'profiles' })).toBeGreaterThanOrEqual(1);
  expect(caughtUp.sum('schemaflow_event_dead_letters_total', { consumer: 'profiles' })).toBe(0);
  // The relay published what had waited.
  expect(drained.sum('schemaflow_outbox_published_total', { service: 'users' })).toBeGreaterThan(waiting.sum('schemaflow_outbox_published_total', { service: 'users' }));
});

test('a stopped subgraph shows up as failed fetches of that subgraph, an open breaker and not ready', async () => {
  const before = await gateway();
  expect(before.sum('schemaflow_circuit_breaker_state', { subgraph: 'payments' })).toBe(0);
  expect(before.sum('schemaflow_subgraph_ready', { subgraph: 'payments' })).toBe(1);
  await stack.stopSubgraph('payments');

  const first = await stack.query<{ user: any }>(DASHBOARD, { id: ann });
  expect(first.body.data?.user.payments).toBeNull();
  const once = await gateway();
  expect(once.delta(before, 'schemaflow_subgraph_fetch_failures_total', { subgraph: 'payments', reason: 'connection' })).toBe(1);
  expect(once.delta(before, 'schemaflow_subgraph_fetch_failures_total')).toBe(1);
  expect(once.delta(before, 'schemaflow_gateway_requests_total', { operation: 'Dashboard', outcome: 'partial' })).toBe(1);
  expect(once.delta(before, 'schemaflow_gateway_errors_total', { code: 'SERVICE_UNAVAILABLE' })).toBe(1);

  // More failures open the breaker (at least 3 fetches in its window, over half of them failed;
  // earlier successes in the window may take a few more): then the next fetch is not sent.
  let sent = 1;
  let open = once;
  while (open.sum('schemaflow_circuit_breaker_state', { subgraph: 'payments' }) !== 2 && sent < 20) {
    await stack.query(DASHBOARD, { id: ann });
    sent++;
    open = await gateway();
  }
  expect(open.sum('schemaflow_circuit_breaker_state', { subgraph: 'payments' })).toBe(2);
  const refusedBefore = open.delta(before, 'schemaflow_subgraph_fetch_failures_total', { subgraph: 'payments', reason: 'breaker_open' });
  expect(refusedBefore).toBe(0);
  expect(open.delta(before, 'schemaflow_subgraph_fetch_failures_total', { subgraph: 'payments', reason: 'connection' })).toBe(sent);
  await stack.query(DASHBOARD, { id: ann });
  sent++;
  const after = await gateway();
  expect(after.delta(before, 'schemaflow_circuit_breaker_transitions_total', { subgraph: 'payments', state: 'open' })).toBe(1);
  expect(after.delta(before, 'schemaflow_subgraph_fetch_failures_total', { subgraph: 'payments', reason: 'breaker_open' })).toBe(1);
  expect(after.delta(before, 'schemaflow_subgraph_fetch_failures_total', { subgraph: 'payments' })).toBe(sent);
  // The other subgraphs kept answering.
  for (const name of ['users', 'projects', 'profiles']) {
    expect(after.delta(before, 'schemaflow_subgraph_fetch_failures_total', { subgraph: name })).toBe(0);
    expect(after.delta(before, 'schemaflow_subgraph_fetch_duration_seconds_count', { subgraph: name })).toBe(sent);
  }
  expect(after.sum('schemaflow_circuit_breaker_state', { subgraph: 'users' })).toBe(0);

  const notReady = await eventually(gateway, (scrape) => scrape.sum('schemaflow_subgraph_ready', { subgraph: 'payments' }) === 0, 5_000);
  expect(notReady.sum('schemaflow_subgraph_ready', { subgraph: 'payments' })).toBe(0);
  expect(notReady.sum('schemaflow_subgraph_ready', { subgraph: 'users' })).toBe(1);

  // The status page's data says the same.
  const status = (await (await fetch(new URL('/status.json', stack.gatewayUrl))).json()) as { subgraphs: { name: string; ready: boolean; breaker: string }[] };
  expect(status.subgraphs.find((s) => s.name === 'payments')).toMatchObject({ ready: false, breaker: 'open' });
  expect(status.subgraphs.find((s) => s.name === 'users')).toMatchObject({ ready: true, breaker: 'closed' });
});
