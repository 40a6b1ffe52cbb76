import { startHarness, startHungServer, startRelayingSubgraph, startTestSubgraph, type Harness, type TestSubgraph } from '../support/gatewayHarness';
import { DEADLINE_HEADER } from '../../lib/deadline';
import { eventually } from '../support/eventually';
import { graphqlPost as post, type GraphQLResponse } from '../support/stack';

const graphqlPost = (url: string, query: string) => post<Record<string, any>>(url, query);

/**
 * How the gateway's own client to the subgraphs copes when one misbehaves: the real gateway over
 * HTTP in front of two small subgraphs (test/support/gatewayHarness.ts), no engines. Time bounds
 * are short here (a 1 s fetch timeout) so that each failure shows in moments.
 */
const UNAVAILABLE_AT_BETA = [{ message: expect.any(String), path: ['beta'], extensions: { code: 'SERVICE_UNAVAILABLE' } }];

let alpha: TestSubgraph;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  alpha = await startTestSubgraph('alpha');
});

afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

afterAll(async () => {
  await alpha?.stop();
});

async function harness(betaUrl: string, env: Record<string, string> = {}): Promise<Harness> {
  const started = await startHarness({ alpha: alpha.url, beta: betaUrl }, env);
  cleanup.push(() => started.stop());
  return started;
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await work;
  return { value, ms: Date.now() - start };
}

function expectOtherDataAndUnavailableBeta(response: GraphQLResponse) {
  expect(response.status).toBe(200);
  expect(response.body.data).toEqual({ alpha: 'a', beta: null });
  expect(response.body.errors).toEqual(UNAVAILABLE_AT_BETA);
}

test('a subgraph that hangs: its fields are SERVICE_UNAVAILABLE within the fetch timeout, others are unaffected, sockets stay bounded by the pool', async () => {
  const hung = await startHungServer();
  cleanup.push(() => hung.stop());
  // The breaker is kept out of this one (it has its own test): every fetch goes out and times out.
  // Readiness probes of the hung subgraph (outside the pool) only at start: a probe that timed out
  // may still hold its socket when the next one opens, which is not what this counts.
  const { gatewayUrl } = await harness(hung.url, { SUBGRAPH_TIMEOUT_MS: '3000', SUBGRAPH_CONNECTIONS: '4', SUBGRAPH_BREAKER_VOLUME: '100000', READINESS_POLL_MS: '600000' });
  expect((await graphqlPost(gatewayUrl, '{ alpha }')).body).toEqual({ data: { alpha: 'a' } });
  const stuck = Array.from({ length: 20 }, () => timed(graphqlPost(gatewayUrl, '{ alpha beta }')));
  // Meanwhile another client, asking only the healthy subgraph, is answered as usual: well before
  // the hung fetches time out.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const other = await timed(graphqlPost(gatewayUrl, '{ alpha }'));
  expect(other.value.body).toEqual({ data: { alpha: 'a' } });
  expect(other.ms).toBeLessThan(1_500);
  for (const { value, ms } of await Promise.all(stuck)) {
    expectOtherDataAndUnavailableBeta(value);
    // Within the 3 s timeout (plus generous slack), not the 30 s a hung subgraph used to cost.
    expect(ms).toBeLessThan(6_000);
  }
  // Twenty fetches, never more than four at the subgraph at once: the others waited in the pool's
  // queue. (One more is the gateway's readiness probe of that subgraph, outside the pool, one at a time.)
  expect(hung.peakBusy()).toBeLessThanOrEqual(4 + 1);
  // A second wave does not pile more up: each timed-out fetch gave its socket back.
  await Promise.all(Array.from({ length: 20 }, () => graphqlPost(gatewayUrl, '{ alpha beta }')));
  expect(hung.peakBusy()).toBeLessThanOrEqual(4 + 1);
  // Sockets, as this server counts them: when the four timed-out fetches' sockets are closed, the
  // pool's replacements may connect before the closes arrive here, so at most twice the pool (and
  // the probe) at a moment, never one per request; once the closes are in, the pool's four.
  expect(hung.peak()).toBeLessThanOrEqual(2 * 4 + 1);
  expect(await eventually(async () => hung.open(), (open) => open <= 4, 5_000)).toBeLessThanOrEqual(4);
});

test('the whole-request deadline bounds every fetch, also one under a longer fetch timeout', async () => {
  const hung = await startHungServer();
  cleanup.push(() => hung.stop());
  const { gatewayUrl } = await harness(hung.url, { SUBGRAPH_TIMEOUT_MS: '20000', REQUEST_DEADLINE_MS: '1000', SUBGRAPH_BREAKER_VOLUME: '100000' });
  const { value, ms } = await timed(graphqlPost(gatewayUrl, '{ alpha beta }'));
  expectOtherDataAndUnavailableBeta(value);
  expect(ms).toBeLessThan(3_000);
});

test('stale keep-alive sockets: bursts separated by the subgraph keep-alive timeout get no SERVICE_UNAVAILABLE', async () => {
  // A subgraph that closes idle connections after 2 s (announcing it in Keep-Alive: timeout=2).
  const beta = await startTestSubgraph('beta', 0, 2_000);
  cleanup.push(() => beta.stop());
  const { gatewayUrl } = await harness(beta.url, { SUBGRAPH_CONNECTIONS: '8' });
  const burst = () => Promise.all(Array.from({ length: 16 }, () => graphqlPost(gatewayUrl, '{ alpha beta }')));
  const answers: GraphQLResponse[] = [...(await burst())];
  // Around the moment the subgraph closes its idle sockets, where a client that kept them longer
  // would send on a closing connection.
  for (const pause of [1_950, 2_000, 2_050]) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    answers.push(...(await burst()));
  }
  const unavailable = answers.filter((answer) => answer.body.errors?.length);
  expect(unavailable).toEqual([]);
  expect(answers.every((answer) => answer.body.data?.beta === 'b')).toBe(true);
});

test('circuit breaker: a hung subgraph opens it (answers at once), and when the subgraph is back it closes again', async () => {
  const hung = await startHungServer();
  const { gatewayUrl } = await harness(hung.url, {
    SUBGRAPH_TIMEOUT_MS: '1000',
    SUBGRAPH_BREAKER_VOLUME: '3',
    SUBGRAPH_BREAKER_RESET_MS: '1500',
  });
  // Three fetches time out: the breaker opens.
  for (const answer of await Promise.all(Array.from({ length: 3 }, () => graphqlPost(gatewayUrl, '{ alpha beta }')))) expectOtherDataAndUnavailableBeta(answer);
  const sentWhenOpened = hung.requests();
  expect(sentWhenOpened).toBe(3);
  // Open: answered at once, without a fetch to the subgraph.
  for (let i = 0; i < 5; i++) {
    const { value, ms } = await timed(graphqlPost(gatewayUrl, '{ alpha beta }'));
    expectOtherDataAndUnavailableBeta(value);
    expect(ms).toBeLessThan(500);
  }
  expect(hung.requests()).toBe(sentWhenOpened);
  // The subgraph comes back on the same address.
  const port = hung.port;
  await hung.stop();
  const beta = await startTestSubgraph('beta', port);
  cleanup.push(() => beta.stop());
  // After the reset time one probe goes through, succeeds, and the breaker closes.
  const recovered = await eventually(
    () => graphqlPost(gatewayUrl, '{ alpha beta }'),
    (answer) => answer.body.data?.beta === 'b',
    6_000,
    200,
  );
  expect(recovered.body).toEqual({ data: { alpha: 'a', beta: 'b' } });
  for (const answer of await Promise.all(Array.from({ length: 5 }, () => graphqlPost(gatewayUrl, '{ alpha beta }')))) {
    expect(answer.body).toEqual({ data: { alpha: 'a', beta: 'b' } });
  }
});

test('a stopped subgraph (connection refused) is SERVICE_UNAVAILABLE at its fields at once', async () => {
  const beta = await startTestSubgraph('beta');
  const url = beta.url;
  await beta.stop();
  const { gatewayUrl } = await harness(url);
  const { value, ms } = await timed(graphqlPost(gatewayUrl, '{ alpha beta }'));
  expectOtherDataAndUnavailableBeta(value);
  expect(ms).toBeLessThan(2_000);
});

test('client goes away: the subgraph fetch made for it is cancelled', async () => {
  const beta = await startTestSubgraph('beta');
  cleanup.push(() => beta.stop());
  const { gatewayUrl } = await harness(beta.url);
  const client = new AbortController();
  const request = fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ alpha beta(waitMs: 10000) }' }),
    signal: client.signal,
  }).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const leftAt = Date.now();
  client.abort();
  await request;
  // The subgraph sees its caller (the gateway) leave well before its 10 s of work would end.
  await eventually(async () => beta.cancelled, (count) => count === 1, 3_000, 25);
  expect(beta.cancelled).toBe(1);
  expect(beta.answered).toBe(0);
  expect(Date.now() - leftAt).toBeLessThan(3_000);
});

describe('the deadline reaches the subgraph', () => {
  test("a subgraph's own service calls are aborted when the gateway's request deadline passes", async () => {
    const hung = await startHungServer();
    cleanup.push(() => hung.stop());
    const relaying = await startRelayingSubgraph(hung.url);
    cleanup.push(() => relaying.stop());
    const { gatewayUrl } = await harness(relaying.url, { REQUEST_DEADLINE_MS: '1000', SUBGRAPH_BREAKER_VOLUME: '100000' });
    const { value, ms } = await timed(graphqlPost(gatewayUrl, '{ alpha beta }'));
    expectOtherDataAndUnavailableBeta(value);
    expect(ms).toBeLessThan(3_000);
    // The subgraph's call (its own timeout: 20 s) ended with the request.
    const calls = await eventually(async () => relaying.calls, (seen) => seen.length === 1, 3_000, 25);
    expect(calls).toEqual([{ outcome: 'failed', ms: expect.any(Number) }]);
    expect(calls[0]!.ms).toBeLessThan(3_000);
    expect(hung.requests()).toBe(1);
  });

  test('a subgraph stops working on a request at the deadline its caller sent, even if the caller waits', async () => {
    const hung = await startHungServer();
    cleanup.push(() => hung.stop());
    const relaying = await startRelayingSubgraph(hung.url);
    cleanup.push(() => relaying.stop());
    const post = (budget: string) =>
      fetch(relaying.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [DEADLINE_HEADER]: budget },
        body: JSON.stringify({ query: '{ beta }' }),
      });
    const { value, ms } = await timed(post('500'));
    expect(await value.json()).toEqual({ data: { beta: 'the call was cut short' } });
    expect(ms).toBeLessThan(3_000);
    expect(relaying.calls).toEqual([{ outcome: 'failed', ms: expect.any(Number) }]);
    // A request whose time is already up is refused before any work.
    const late = await post('0');
    expect(late.status).toBe(504);
    expect(await late.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    expect(relaying.calls).toHaveLength(1);
  });
});
