import { freePort } from '../../engines/freePort';
import { startGatewayHarness, type GatewayHarness } from '../support/guardsHarness';
import { startRedis, type RedisServer } from '../support/redis';
import type { Logger } from '../../lib/logger';
import { Scrape } from '../support/scrape';

/**
 * Rate limits per caller, through the real gateway (in front of a small subgraph of the test's
 * own): a caller over its limit gets 429 with the IETF draft's RateLimit headers and Retry-After,
 * and nothing reaches the subgraph; other callers keep their own counts.
 */
const HELLO = { query: '{ hello }' };
const harnesses: GatewayHarness[] = [];

/** The gateway's warnings and infos, as the operator sees them. */
const logged: string[] = [];
const recording: Logger = { debug() {}, info: (message) => void logged.push(`info: ${message}`), warn: (message) => void logged.push(`warn: ${message}`), error: (message) => void logged.push(`error: ${message}`) };

async function harness(env: Record<string, string>): Promise<GatewayHarness> {
  const started = await startGatewayHarness(env, recording);
  harnesses.push(started);
  return started;
}

afterEach(async () => {
  for (const started of harnesses.splice(0)) await started.stop();
});

function expectRefused(response: { status: number; headers: Headers; body: any }, policy: string, limit: number) {
  expect(response.status).toBe(429);
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  expect(response.body.errors[0].message).toContain(`at most ${limit} per 60 s`);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers.get('ratelimit-policy')).toBe(`"${policy}";q=${limit};w=60`);
  expect(response.headers.get('ratelimit')).toBe(`"${policy}";r=0;t=${retryAfter}`);
}

test('an anonymous caller over its limit gets 429 with RateLimit and Retry-After headers, and nothing runs', async () => {
  const gateway = await harness({ RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_USER: '5' });
  for (const remaining of [2, 1, 0]) {
    const response = await gateway.post(HELLO);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { hello: 'hello' } });
    expect(response.headers.get('ratelimit-policy')).toBe('"anonymous";q=3;w=60');
    expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^"anonymous";r=${remaining};t=\\d+$`));
  }
  const calls = gateway.subgraphCalls();
  expectRefused(await gateway.post(HELLO), 'anonymous', 3);
  expect(gateway.subgraphCalls()).toBe(calls);
  // The gateway's metrics count each decision, and the refused request as a client error.
  const metrics = await Scrape.of(new URL(gateway.gatewayUrl).origin);
  expect(metrics.sum('schemaflow_rate_limit_decisions_total', { decision: 'allowed', identity: 'anonymous' })).toBe(3);
  expect(metrics.sum('schemaflow_rate_limit_decisions_total', { decision: 'refused', identity: 'anonymous' })).toBe(1);
  expect(metrics.sum('schemaflow_gateway_requests_total', { operation: 'none', outcome: 'client_error' })).toBe(1);
  expect(metrics.sum('schemaflow_gateway_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
});

test('signed-in users are counted each on their own, apart from the address they share', async () => {
  const gateway = await harness({ RATE_LIMIT_ANONYMOUS: '1', RATE_LIMIT_USER: '2' });
  const [ann, bob] = await Promise.all([gateway.userToken('00000000-0000-4000-8000-00000000000a'), gateway.userToken('00000000-0000-4000-8000-00000000000b')]);
  expect((await gateway.post(HELLO)).status).toBe(200);
  expectRefused(await gateway.post(HELLO), 'anonymous', 1);
  for (let i = 0; i < 2; i += 1) expect((await gateway.post(HELLO, { authorization: `Bearer ${ann}` })).status).toBe(200);
  expectRefused(await gateway.post(HELLO, { authorization: `Bearer ${ann}` }), 'user', 2);
  const other = await gateway.post(HELLO, { authorization: `Bearer ${bob}` });
  expect(other.status).toBe(200);
  expect(other.headers.get('ratelimit')).toMatch(/^"user";r=1;t=\d+$/);
});

test('credentials that are not valid count against the address: guessing tokens is limited too', async () => {
  const gateway = await harness({ RATE_LIMIT_ANONYMOUS: '2' });
  for (let i = 0; i < 2; i += 1) {
    const refused = await gateway.post(HELLO, { authorization: `Bearer not-a-token-${i}` });
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  }
  expectRefused(await gateway.post(HELLO, { authorization: 'Bearer not-a-token-either' }), 'anonymous', 2);
  expectRefused(await gateway.post(HELLO), 'anonymous', 2);
});

test('a kind of caller with limit 0 is not limited (and gets no RateLimit headers)', async () => {
  const gateway = await harness({ RATE_LIMIT_ANONYMOUS: '0' });
  for (let i = 0; i < 5; i += 1) {
    const response = await gateway.post(HELLO);
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit')).toBeNull();
  }
});

describe('shared in Redis (REDIS_URL)', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  test('two gateway replicas count the same caller together', async () => {
    const env = { REDIS_URL: redis.url, RATE_LIMIT_ANONYMOUS: '4' };
    const [first, second] = [await harness(env), await harness(env)];
    expect((await first.post(HELLO)).status).toBe(200);
    expect((await second.post(HELLO)).status).toBe(200);
    expect((await first.post(HELLO)).status).toBe(200);
    const fourth = await second.post(HELLO);
    expect(fourth.status).toBe(200);
    expect(fourth.headers.get('ratelimit')).toMatch(/^"anonymous";r=0;t=\d+$/);
    expectRefused(await first.post(HELLO), 'anonymous', 4);
    expectRefused(await second.post(HELLO), 'anonymous', 4);
  });

  test('Redis going away while serving: answered at once, counted in memory meanwhile, and the operator is told', async () => {
    const own = await startRedis();
    try {
      logged.length = 0;
      const gateway = await harness({ REDIS_URL: own.url, RATE_LIMIT_ANONYMOUS: '3' });
      expect((await gateway.post(HELLO)).headers.get('ratelimit')).toMatch(/^"anonymous";r=2;/);
      await own.stop();
      const started = Date.now();
      // The in-memory count starts afresh: three more are admitted, the fourth refused.
      for (let i = 0; i < 3; i += 1) expect((await gateway.post(HELLO)).status).toBe(200);
      expectRefused(await gateway.post(HELLO), 'anonymous', 3);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(logged).toContain('warn: rate limits: Redis does not answer; counting in this process until it is back');
    } finally {
      await own.stop();
    }
  });
});

test('with Redis unreachable, each gateway keeps counting in its own memory: answered at once, still limited', async () => {
  const closedPort = await freePort();
  const gateway = await harness({ REDIS_URL: `redis://127.0.0.1:${closedPort}`, RATE_LIMIT_ANONYMOUS: '2' });
  const started = Date.now();
  expect((await gateway.post(HELLO)).status).toBe(200);
  expect((await gateway.post(HELLO)).status).toBe(200);
  expectRefused(await gateway.post(HELLO), 'anonymous', 2);
  expect(Date.now() - started).toBeLessThan(3_000);
});
