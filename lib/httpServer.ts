import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { graphqlMiddleware } from './graphqlMiddleware';
import type { Metrics } from './metrics/Metrics';
import { withTimeout } from './withTimeout';

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql */
  url: string;
  stop(): Promise<void>;
}

/** Something a process needs before it can serve (a database it can reach, a loaded schema). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HttpServerOptions<TContext extends object> {
  /** Not yet started: `serveHttp` starts it and stops it. */
  server: ApolloServer<TContext>;
  /** `res` tells when the client goes away (its `close` before the response is done). */
  context: (req: IncomingMessage, res: ServerResponse) => Promise<TContext> | TContext;
  port: number;
  host: string;
  readiness?: ReadinessCheck[];
  /** More routes (an explorer page...), mounted before GraphQL. */
  routes?: (app: Express) => void;
  /** Middleware between the parsed body and GraphQL (a subgraph's deadline: lib/deadline.ts). */
  beforeGraphQL?: RequestHandler[];
  /** Handlers on /graphql before the body is read (refusals that should cost little). */
  beforeBody?: RequestHandler[];
  /** How long an idle keep-alive connection is kept open; default `SERVER_KEEP_ALIVE_MS`. */
  keepAliveTimeoutMs?: number;
  /**
   * On stop, how long /ready answers 503 before the port closes, so a load balancer stops sending
   * new requests first (set it to the balancer's probe interval; 0 closes at once).
   */
  shutdownDelayMs?: number;
  /**
   * How long a client may take to send a request's headers (slow-loris), and the whole request;
   * past either the connection is answered 408 and closed. Defaults: 10 s and 30 s.
   */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * The process's registry: served at GET /metrics (Prometheus text format) and /metrics.json
   * (the same as JSON, which the gateway's status page reads of each subgraph).
   */
  metrics?: Metrics;
  /** Where unexpected HTTP-level errors are logged. */
  logger?: { error(message: string, detail?: unknown): void };
}

/** How long a readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;
/** How long in-flight requests get to finish when the server stops. */
const DRAIN_MS = 10_000;
/** A client sending its headers (or its whole request) slower than this holds a socket for nothing. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Request bodies above this are refused (413) before any parsing: a schema document is at most 1 MB. */
const BODY_LIMIT = '2mb';
/**
 * How long every server keeps an idle keep-alive connection: explicitly longer than its callers
 * keep idle sockets (the gateway's SUBGRAPH_KEEP_ALIVE_MS, 4 s by default; Node's fetch, 4 s), so
 * the caller always closes an idle socket first and never sends a request on one the server is
 * closing at that moment (Node's default here is 5 s, too close to the callers'). The server also
 * announces it (`Keep-Alive: timeout=30`), which undici honours.
 */
export const SERVER_KEEP_ALIVE_MS = 30_000;

const RAW_BODY = Symbol('rawBody');
const EMPTY = Buffer.alloc(0);

/** The request body as received (what a request signature covers); empty when there was none. */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return (req as IncomingMessage & { [RAW_BODY]?: Buffer })[RAW_BODY] ?? EMPTY;
}

/**
 * A request the HTTP layer refuses before GraphQL sees it (malformed JSON, a body over the limit)
 * gets a GraphQL-shaped JSON error with the right status; never express's HTML page with a stack.
 */
const requestErrors = (logger?: HttpServerOptions<object>['logger']): ErrorRequestHandler => (error: { status?: number; type?: string }, _req, res, _next) => {
  const status = typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status >= 500) logger?.error('unexpected HTTP error', error);
  const message =
    error.type === 'entity.too.large'
      ? `request body is larger than ${BODY_LIMIT}`
      : error.type === 'entity.parse.failed'
        ? 'request body is not valid JSON'
        : status < 500
          ? 'bad request'
          : 'Internal server error';
  res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }] });
};

type CheckResults = { ready: boolean; checks: Record<string, 'ok' | 'failed'> };

async function runChecks(checks: ReadinessCheck[]): Promise<CheckResults> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS, 'timed out');
        return [name, 'ok'] as const;
      } catch {
        return [name, 'failed'] as const;
      }
    }),
  );
  return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/**
 * A check against a database that hangs may outlive its timeout: probes arriving meanwhile share
 * the run in flight instead of starting more, so they never pile up.
 */
function sharedChecks(checks: ReadinessCheck[]): () => Promise<CheckResults> {
  let inFlight: Promise<CheckResults> | null = null;
  return () => {
    inFlight ??= runChecks(checks).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

/**
 * Serves one GraphQL server over HTTP, as every process of the product does (gateway and
 * subgraphs): GraphQL at /graphql, liveness at /health (the process answers), readiness at /ready
 * (its checks pass: 200, or 503 naming the failed check, never its error). On stop it refuses new
 * connections, lets requests in flight finish, then stops the GraphQL server.
 */
export async function serveHttp<TContext extends object>(options: HttpServerOptions<TContext>): Promise<RunningServer> {
  await options.server.start();
  const readiness = sharedChecks(options.readiness ?? []);
  let stopping = false;
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    // While stopping, every response ends its connection, so keep-alive clients move elsewhere.
    if (stopping) res.set('Connection', 'close');
    next();
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    if (stopping) {
      res.status(503).json({ status: 'stopping', checks: {} });
      return;
    }
    const { ready, checks } = await readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics.exposition();
      res.type(contentType).send(body);
    });
    app.get('/metrics.json', async (_req, res) => {
      res.json(await metrics.registry.getMetricsAsJSON());
    });
  }
  options.routes?.(app);
  app.use(
    '/graphql',
    ...(options.beforeBody ?? []),
    express.json({
      limit: BODY_LIMIT,
      // Kept (a reference, no copy) for request signatures, which cover the bytes as sent.
      verify: (req, _res, body) => {
        (req as IncomingMessage & { [RAW_BODY]?: Buffer })[RAW_BODY] = body;
      },
    }),
    ...(options.beforeGraphQL ?? []),
    graphqlMiddleware(options.server, options.context),
  );
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'not found: GraphQL is served at /graphql', extensions: { code: 'NOT_FOUND' } }] });
  });
  app.use(requestErrors(options.logger));
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const httpServer = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      // Node looks for timed-out requests every 30 s by default, which would let a slow client
      // hold its socket for that much longer than the timeouts above say.
      connectionsCheckingInterval: Math.min(1_000, Math.max(100, headersTimeout / 2)),
    },
    app,
  );
  // Responses not yet begun when stopping starts: they are the ones to tell their client.
  const inFlight = new Set<ServerResponse>();
  httpServer.keepAliveTimeout = options.keepAliveTimeoutMs ?? SERVER_KEEP_ALIVE_MS;
  // Node requires the headers timeout to exceed the keep-alive timeout (else idle sockets race it).
  httpServer.headersTimeout = Math.max(httpServer.headersTimeout, httpServer.keepAliveTimeout + 1_000);
  httpServer.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    // A connection whose response had already begun when stopping started becomes idle once it
    // is done: close it then.
    res.on('finish', () => stopping && httpServer.closeIdleConnections());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await options.server.stop();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/graphql`,
    stop: async () => {
      stopping = true;
      // A keep-alive client whose request is in flight is told, in that response, that the
      // connection ends with it; Node then closes the socket after the response (FIN), so the
      // client never sends its next request into a socket being torn down (a reset).
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      if (options.shutdownDelayMs) await new Promise((resolve) => setTimeout(resolve, options.shutdownDelayMs));
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      const force = setTimeout(() => httpServer.closeAllConnections(), DRAIN_MS);
      await closed;
      clearTimeout(force);
      await options.server.stop();
    },
  };
}
