import { CircuitBreakers } from '../../gateway/client/CircuitBreakers';
import { compose } from '../../gateway/client/SubgraphClient';
import { SubgraphFailure, type Send, type SubgraphRequest } from '../../gateway/client/types';
import { withRetry } from '../../gateway/client/withRetry';
import { withSigning } from '../../gateway/client/withSigning';
import { withTimeBounds } from '../../gateway/client/withTimeBounds';
import { SubgraphDataSource } from '../../gateway/SubgraphDataSource';
import { generateSigningSecret, RequestSigner } from '../../lib/auth/RequestSigner';
import { budgetFrom, DEADLINE_HEADER } from '../../lib/deadline';
import { createLogger } from '../../lib/logger';

/** The wrappers of the gateway's subgraph client, each around a fake `send`. */
const silent = createLogger('test', 'silent');

function request(overrides: Partial<SubgraphRequest> = {}): SubgraphRequest {
  return { subgraph: 'beta', url: 'http://beta.invalid/graphql', body: '{"query":"{ beta }"}', headers: {}, idempotent: true, deadlineAt: Date.now() + 30_000, ...overrides };
}

const ok: Send = async () => ({ status: 200, body: { data: { beta: 'b' } } });

/** A send that never answers until its signal fires, then fails as the transport would. */
const hanging: Send = (req) =>
  new Promise((_, reject) => {
    req.signal?.addEventListener('abort', () => reject(new SubgraphFailure(req.signal!.reason, req.subgraph, true)));
  });

const failure = (reason: SubgraphFailure['reason'], code?: string, beforeResponse = true) => new SubgraphFailure(reason, 'beta', beforeResponse, code ? { code } : undefined);

describe('withTimeBounds', () => {
  test('a fetch that does not answer fails with `timeout` at the fetch timeout, and the subgraph is told its budget', async () => {
    const seen: SubgraphRequest[] = [];
    const send = withTimeBounds(50)((req) => (seen.push(req), hanging(req)));
    await expect(send(request())).rejects.toMatchObject({ reason: 'timeout' });
    expect(Number(seen[0]!.headers[DEADLINE_HEADER])).toBe(50);
  });

  test('a nearer request deadline wins (`deadline`); a passed one sends nothing', async () => {
    const calls: SubgraphRequest[] = [];
    const send = withTimeBounds(10_000)((req) => (calls.push(req), hanging(req)));
    await expect(send(request({ deadlineAt: Date.now() + 40 }))).rejects.toMatchObject({ reason: 'deadline' });
    expect(Number(calls[0]!.headers[DEADLINE_HEADER])).toBeLessThanOrEqual(40);
    await expect(send(request({ deadlineAt: Date.now() - 1 }))).rejects.toMatchObject({ reason: 'deadline' });
    expect(calls).toHaveLength(1);
  });

  test('the client going away aborts the fetch (`cancelled`)', async () => {
    const client = new AbortController();
    const pending = withTimeBounds(10_000)(hanging)(request({ signal: client.signal }));
    client.abort('cancelled');
    await expect(pending).rejects.toMatchObject({ reason: 'cancelled' });
  });
});

describe('withRetry', () => {
  test('a query that failed on the connection before any answer is sent exactly once more', async () => {
    let calls = 0;
    const flaky: Send = async () => {
      calls += 1;
      if (calls === 1) throw failure('connection', 'ECONNRESET');
      return { status: 200, body: {} };
    };
    await expect(withRetry()(flaky)(request())).resolves.toEqual({ status: 200, body: {} });
    expect(calls).toBe(2);
    calls = 0;
    const broken: Send = async () => ((calls += 1), Promise.reject(failure('connection', 'UND_ERR_SOCKET')));
    await expect(withRetry()(broken)(request())).rejects.toMatchObject({ reason: 'connection' });
    expect(calls).toBe(2);
  });

  test.each([
    ['a mutation', request({ idempotent: false }), failure('connection', 'ECONNRESET')],
    ['a failure after part of the answer', request(), failure('connection', 'ECONNRESET', false)],
    ['a timeout', request(), failure('timeout')],
    ['a server error', request(), failure('server-error', 'HTTP_500', false)],
  ])('%s is not retried', async (_name, req, error) => {
    let calls = 0;
    const send: Send = async () => ((calls += 1), Promise.reject(error));
    await expect(withRetry()(send)(req)).rejects.toBe(error);
    expect(calls).toBe(1);
  });
});

describe('CircuitBreakers', () => {
  test('opens after failures, answers at once without calling the subgraph, probes once after the reset time, closes on success', async () => {
    const breakers = new CircuitBreakers({ errorThresholdPercentage: 50, volumeThreshold: 3, windowMs: 10_000, resetMs: 100 }, silent);
    let calls = 0;
    let healthy = false;
    const send = breakers.wrap()(async () => {
      calls += 1;
      if (!healthy) throw failure('timeout');
      return { status: 200, body: {} };
    });
    for (let i = 0; i < 3; i++) await expect(send(request())).rejects.toMatchObject({ reason: 'timeout' });
    expect(breakers.state('beta')).toBe('open');
    await expect(send(request())).rejects.toMatchObject({ reason: 'circuit-open' });
    expect(calls).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(breakers.state('beta')).toBe('half-open');
    healthy = true;
    await expect(send(request())).resolves.toEqual({ status: 200, body: {} });
    expect(breakers.state('beta')).toBe('closed');
    breakers.close();
  });

  test('a client that went away or a spent request deadline does not count against the subgraph', async () => {
    const breakers = new CircuitBreakers({ errorThresholdPercentage: 50, volumeThreshold: 2, windowMs: 10_000, resetMs: 1_000 }, silent);
    const send = breakers.wrap()(async () => Promise.reject(failure('cancelled')));
    for (let i = 0; i < 5; i++) await expect(send(request())).rejects.toMatchObject({ reason: 'cancelled' });
    expect(breakers.state('beta')).toBe('closed');
    breakers.close();
  });
});

describe('withSigning', () => {
  test('every fetch carries a signature the subgraphs verify with the shared secret', async () => {
    const secret = generateSigningSecret();
    const seen: SubgraphRequest[] = [];
    const send = withSigning(new RequestSigner(secret), () => '/graphql')(async (req) => (seen.push(req), { status: 200, body: {} }));
    await send(request({ headers: { authorization: 'Bearer t', 'x-client-ip': '203.0.113.1' } }));
    const sent = seen[0]!;
    const parts = { method: 'POST', path: '/graphql', body: sent.body, headers: sent.headers };
    expect(new RequestSigner(secret).verify(parts)).toBe(true);
    expect(new RequestSigner(generateSigningSecret()).verify(parts)).toBe(false);
    expect(new RequestSigner(secret).verify({ ...parts, headers: { ...sent.headers, 'x-client-ip': '10.0.0.1' } })).toBe(false);
    expect(new RequestSigner(secret).verify({ ...parts, body: '{}' })).toBe(false);
    expect(new RequestSigner(secret).verify(parts, Date.now() + 61_000)).toBe(false);
  });
});

describe('SubgraphDataSource', () => {
  const ENTITY_FETCH = 'query($representations:[_Any!]!){_entities(representations:$representations){...on User{payments{id}}}}';
  const process = (send: Send, query = '{ beta }', variables?: Record<string, unknown>) =>
    new SubgraphDataSource('beta', 'http://beta.invalid/graphql', send, silent).process({
      request: { query, variables },
      context: { forwardedHeaders: {}, deadlineAt: Date.now() + 1_000 },
      incomingRequestContext: {},
    } as never);

  test("a failure is SERVICE_UNAVAILABLE at each field the subgraph was to give, entity by entity", async () => {
    const down: Send = async () => Promise.reject(failure('connection', 'ECONNREFUSED'));
    expect(await process(down)).toEqual({ errors: [{ message: expect.any(String), path: ['beta'], extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    const entities = await process(down, ENTITY_FETCH, { representations: [{}, {}] });
    expect(entities.errors!.map((error) => error.path)).toEqual([['_entities', 0, 'payments'], ['_entities', 1, 'payments']]);
    // Entity fetches merged into one request: the same, under each alias, by its own representations.
    const MERGED = 'query($r0:[_Any!]!,$r1:[_Any!]!){_b0:_entities(representations:$r0){...on User{payments{id}}} _b1:_entities(representations:$r1){...on User{name email}}}';
    const merged = await process(down, MERGED, { r0: [{}], r1: [{}, {}] });
    expect(merged.errors!.map((error) => error.path)).toEqual([
      ['_b0', 0, 'payments'],
      ['_b1', 0, 'name'],
      ['_b1', 0, 'email'],
      ['_b1', 1, 'name'],
      ['_b1', 1, 'email'],
    ]);
  });

  test("a 4xx answer passes on its GraphQL errors and nothing else of the HTTP answer", async () => {
    const refused: Send = async () => ({
      status: 401,
      body: { errors: [{ message: 'not authenticated: spent', path: ['refreshSession'], extensions: { code: 'UNAUTHENTICATED' } }], data: null, extensions: { secret: 1 } },
    });
    expect(await process(refused)).toEqual({ errors: [{ message: 'not authenticated: spent', path: ['refreshSession'], extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  test('a 4xx answer without GraphQL errors, or a body that is no GraphQL answer, is SERVICE_UNAVAILABLE', async () => {
    for (const body of [{ message: 'nope' }, 'text', null]) {
      const odd: Send = async () => ({ status: 404, body });
      expect((await process(odd)).errors![0]!.extensions!.code).toBe('SERVICE_UNAVAILABLE');
    }
  });

  test('the data source sends a query as idempotent and a mutation as not', async () => {
    const seen: SubgraphRequest[] = [];
    const recording: Send = async (req) => (seen.push(req), { status: 200, body: { data: {} } });
    await process(recording, 'query Q { beta }');
    await process(recording, 'mutation M { pay }');
    expect(seen.map((req) => req.idempotent)).toEqual([true, false]);
  });
});

describe('composing and the deadline header', () => {
  test('wrappers run outermost first', async () => {
    const order: string[] = [];
    const tag = (name: string) => (next: Send): Send => async (req) => (order.push(name), next(req));
    await compose(ok, [tag('a'), tag('b')])(request());
    expect(order).toEqual(['a', 'b']);
  });

  test('a subgraph reads a budget within [0, max], and the max when none or nonsense is given', () => {
    expect(budgetFrom('1500', 30_000)).toBe(1500);
    expect(budgetFrom('-5', 30_000)).toBe(0);
    expect(budgetFrom('999999999', 30_000)).toBe(30_000);
    expect(budgetFrom(undefined, 30_000)).toBe(30_000);
    expect(budgetFrom('soon', 30_000)).toBe(30_000);
  });
});
