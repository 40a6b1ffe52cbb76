import { Agent, request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { serveHttp, type RunningServer } from '../../lib/httpServer';

/**
 * The HTTP layer every process shares (lib/httpServer.ts), stopped while keep-alive clients are
 * busy: what a load balancer or the gateway's own pooled client sees when a process is stopped
 * with SIGTERM. No database: one resolver that answers when the test lets it.
 */

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function post(url: string, agent: Agent, query: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

let release: () => void = () => undefined;
let running: RunningServer | null = null;

async function startSlowServer(): Promise<RunningServer> {
  const server = new ApolloServer({
    typeDefs: `type Query { slow: String fast: String }`,
    resolvers: {
      Query: {
        slow: () => new Promise<string>((resolve) => (release = () => resolve('done'))),
        fast: () => 'fast',
      },
    },
  });
  return serveHttp({ server, context: () => ({}), port: 0, host: '127.0.0.1' });
}

afterEach(async () => {
  release();
  await running?.stop().catch(() => undefined);
  running = null;
});

test('a keep-alive request in flight when stop() is called gets its whole response with connection: close, and no reset', async () => {
  running = await startSlowServer();
  const url = running.url;
  // One socket, reused: the second request waits in the agent for the first one's connection.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const warm = await post(url, agent, '{ fast }');
    expect(warm.headers.connection).toBe('keep-alive');
    const resets: unknown[] = [];
    const inFlight = post(url, agent, '{ slow }');
    const next = post(url, agent, '{ fast }').catch((error: NodeJS.ErrnoException) => {
      // Once the server has stopped, a new connection is refused: that is expected. A reset is not.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resets.push(error);
      return null;
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the slow request has reached its resolver
    const stopped = running.stop();
    await new Promise((resolve) => setTimeout(resolve, 100)); // stopping has begun
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { slow: 'done' } });
    expect(answer.headers.connection).toBe('close');
    await next;
    await stopped;
    running = null;
    expect(resets).toEqual([]);
  } finally {
    agent.destroy();
  }
});

test('a client that sends its headers too slowly is cut off after headersTimeoutMs (408), not kept forever', async () => {
  const server = new ApolloServer({ typeDefs: `type Query { fast: String }`, resolvers: { Query: { fast: () => 'fast' } } });
  running = await serveHttp({ server, context: () => ({}), port: 0, host: '127.0.0.1', headersTimeoutMs: 300, requestTimeoutMs: 600 });
  const { port } = new URL(running.url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => (received += chunk));
  const started = Date.now();
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n'); // and never the rest
  await closed;
  expect(received).toMatch(/^HTTP\/1\.1 408/);
  expect(Date.now() - started).toBeLessThan(5_000);
});
