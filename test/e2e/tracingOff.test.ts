import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startTracing } from '../../lib/tracing/tracing';
import { startHarness, startTestSubgraph, type TestSubgraph } from '../support/gatewayHarness';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlpReceiver';
import { eventually } from '../support/eventually';
import { graphqlPost } from '../support/stack';

/**
 * Tracing off costs nothing and changes nothing on the wire: no span is exported and the gateway's
 * fetches carry no trace headers, even when the client sent a traceparent. Tracing on, the same
 * fetch carries the client's trace on (the contrast that shows the test can fail).
 */

/** A subgraph answering `alpha` that keeps the headers of every GraphQL fetch it got (not the gateway's readiness probes). */
async function startRecordingSubgraph(): Promise<{ url: string; headers: IncomingHttpHeaders[]; stop(): Promise<void> }> {
  const headers: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST') headers.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { alpha: 'a' } })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, headers, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let receiver: OtlpReceiver;
let alpha: Awaited<ReturnType<typeof startRecordingSubgraph>>;
let beta: TestSubgraph;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  alpha = await startRecordingSubgraph();
  beta = await startTestSubgraph('beta');
});

afterAll(async () => {
  await alpha?.stop();
  await beta?.stop();
  await receiver?.stop();
});

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

test('tracing off: nothing is exported and no traceparent reaches the subgraphs', async () => {
  const harness = await startHarness({ alpha: alpha.url, beta: beta.url });
  try {
    alpha.headers.length = 0;
    const response = await graphqlPost(harness.gatewayUrl, '{ alpha }', {}, { traceparent: traceparent(), tracestate: 'vendor=1' });
    expect(response.body).toEqual({ data: { alpha: 'a' } });
    expect(alpha.headers).toHaveLength(1);
    expect(alpha.headers[0]).not.toHaveProperty('traceparent');
    expect(alpha.headers[0]).not.toHaveProperty('tracestate');
    // Longer than the batch delay tracing would have used.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.exports()).toBe(0);
  } finally {
    await harness.stop();
  }
});

test("tracing on: the fetch continues the client's trace and the spans are exported", async () => {
  const tracing = startTracing({ endpoint: receiver.endpoint, sampler: 'parentbased_always_on', ratio: 1, scheduleDelayMs: 100 });
  const harness = await startHarness({ alpha: alpha.url, beta: beta.url });
  try {
    alpha.headers.length = 0;
    const client = traceparent();
    const traceId = client.split('-')[1];
    expect((await graphqlPost(harness.gatewayUrl, '{ alpha }', {}, { traceparent: client })).body).toEqual({ data: { alpha: 'a' } });
    const sent = String(alpha.headers[0]?.traceparent);
    expect(sent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(sent).not.toBe(client);
    // The client span ends once the gateway has taken the subgraph's answer, which may be just
    // after the client has its own: flush until it is exported.
    const fetchSpan = await eventually(
      async () => {
        await tracing.flush();
        return receiver.spans.find((span) => span.traceId === traceId && span.name === 'POST alpha');
      },
      (span) => span !== undefined,
      5_000,
    );
    expect(fetchSpan?.spanId).toBe(sent.split('-')[2]);
  } finally {
    await harness.stop();
    await tracing.stop();
  }
});

test('sampled out by the parent (flags 00): the trace context still travels, nothing is exported', async () => {
  const tracing = startTracing({ endpoint: receiver.endpoint, sampler: 'parentbased_always_on', ratio: 1, scheduleDelayMs: 100 });
  const harness = await startHarness({ alpha: alpha.url, beta: beta.url });
  try {
    alpha.headers.length = 0;
    const before = receiver.spans.length;
    const client = traceparent().replace(/-01$/, '-00');
    expect((await graphqlPost(harness.gatewayUrl, '{ alpha }', {}, { traceparent: client })).body).toEqual({ data: { alpha: 'a' } });
    expect(String(alpha.headers[0]?.traceparent)).toMatch(new RegExp(`^00-${client.split('-')[1]}-[0-9a-f]{16}-00$`));
    await tracing.flush();
    expect(receiver.spans.length).toBe(before);
  } finally {
    await harness.stop();
    await tracing.stop();
  }
});
