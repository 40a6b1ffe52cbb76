import { randomBytes } from 'node:crypto';
import { context, createContextKey } from '@opentelemetry/api';
import { startTracing, type TracingHandle } from '../../lib/tracing/tracing';
import { eventually } from '../support/eventually';
import { startHarness, startTestSubgraph, type Harness, type TestSubgraph } from '../support/gatewayHarness';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver';
import { graphqlPost } from '../support/stack';

/**
 * The gateway as gateway/main.ts runs it with its own executor: tracing without async context (no
 * AsyncLocalStorage, the largest part of tracing's cost on Node 20), each span's parent passed
 * explicitly from the request's span down to the subgraph client. The trace keeps its layout and
 * parents.
 */

let receiver: OtlpReceiver;
let tracing: TracingHandle;
let alpha: TestSubgraph;
let beta: TestSubgraph;
let harness: Harness;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = startTracing({ endpoint: receiver.endpoint, sampler: 'parentbased_always_on', ratio: 1, scheduleDelayMs: 100 }, { asyncContext: false });
  alpha = await startTestSubgraph('alpha');
  beta = await startTestSubgraph('beta');
  harness = await startHarness({ alpha: alpha.url, beta: beta.url }, { GATEWAY_EXECUTOR: 'fast' });
});

afterAll(async () => {
  await harness?.stop();
  await alpha?.stop();
  await beta?.stop();
  await tracing?.stop();
  await receiver?.stop();
});

test('no async context in this process: a value given to async work is not seen in it', async () => {
  const probe = createContextKey('probe');
  const seen = await context.with(context.active().setValue(probe, true), async () => {
    await Promise.resolve();
    return context.active().getValue(probe);
  });
  expect(seen).toBeUndefined();
});

test("the gateway's trace without async context: request, plan, execute, a fetch span per subgraph with the client's span in it", async () => {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  const response = await graphqlPost(harness.gatewayUrl, 'query Both { alpha beta }', {}, { traceparent: `00-${traceId}-${parentId}-01` });
  expect(response.body).toEqual({ data: { alpha: 'a', beta: 'b' } });
  await tracing.flush();
  const spans = await eventually(
    async () => receiver.spans.filter((span) => span.traceId === traceId),
    (found) => found.some((span) => span.name === 'POST /graphql') && found.filter((span) => span.name.startsWith('POST ')).length === 3,
  );
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const named = (name: string) => spans.filter((span) => span.name === name);
  const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);

  const [root] = named('POST /graphql');
  expect(root!.parentSpanId).toBe(parentId);
  // The id the gateway's log lines carry (they carry no traceId without async context), made here as the client sent none.
  expect(root!.attributes['schemaflow.request_id']).toEqual(expect.any(String));
  const [request] = named('gateway.request');
  expect(parentOf(request!)).toBe(root);
  expect(request!.attributes).toMatchObject({ 'graphql.operation.name': 'Both', 'graphql.operation.type': 'query' });
  expect(parentOf(named('gateway.plan')[0]!)).toBe(request);
  const [execute] = named('gateway.execute');
  expect(parentOf(execute!)).toBe(request);
  expect(parentOf(named('gateway.postprocessing')[0]!)).toBe(execute);
  for (const service of ['alpha', 'beta']) {
    const [fetch] = named(`POST ${service}`);
    expect(fetch).toMatchObject({ kind: 3, attributes: { 'schemaflow.subgraph': service } });
    expect(parentOf(fetch!)).toMatchObject({ name: 'gateway.fetch', attributes: { service } });
    expect(parentOf(parentOf(fetch!)!)).toBe(execute);
  }
  // All of them the gateway executor's own; Apollo Gateway's spans are not made without async context.
  expect(spans.every((span) => span.service === 'gateway' && span.scope === 'schemaflow')).toBe(true);
  expect(spans).toHaveLength(9);
});

test("a request Apollo's executor answers (a `__proto__` response name) makes no spans of Apollo's, and its fetch hangs from the request", async () => {
  const traceId = randomBytes(16).toString('hex');
  const response = await graphqlPost(harness.gatewayUrl, 'query Proto { __proto__: alpha }', {}, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
  expect(response.status).toBe(200);
  expect(response.body).not.toHaveProperty('errors');
  await tracing.flush();
  const spans = await eventually(
    async () => receiver.spans.filter((span) => span.traceId === traceId),
    (found) => found.some((span) => span.name === 'POST alpha'),
  );
  const request = spans.find((span) => span.name === 'gateway.request')!;
  const fetch = spans.find((span) => span.name === 'POST alpha')!;
  expect(spans.find((span) => span.spanId === fetch.parentSpanId)).toMatchObject({ name: 'POST /graphql', spanId: request.parentSpanId });
  expect(spans.filter((span) => span.scope !== 'schemaflow')).toEqual([]);
});
