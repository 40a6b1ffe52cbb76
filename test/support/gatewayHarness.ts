import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { generateSigningSecret, RequestSigner } from '../../lib/auth/RequestSigner';
import { ANONYMOUS } from '../../lib/auth/identity';
import { postGraphQL } from '../../lib/postGraphQL';
import { startSubgraph, type Subgraph } from '../../lib/subgraph';
import type { BaseContext } from '../../lib/subgraphServer';
import { serveHttp, type RunningServer } from '../../lib/httpServer';
import { createLogger } from '../../lib/logger';
import { composeSupergraph } from '../../schema/composeSupergraph';
import { assertNoExecutorMismatches, testExecutorEnv } from './executorEnv';

/**
 * The real gateway in front of two small subgraphs made here, no engines: for how the gateway
 * behaves when a subgraph hangs, is slow, goes away or comes back. `alpha` answers at once;
 * `beta(waitMs)` takes its time and counts the fetches whose caller left before the answer.
 */
export interface Harness {
  gatewayUrl: string;
  stop(): Promise<void>;
}

const SILENT = createLogger('test-subgraph', 'silent');

const ALPHA_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
  type Query { alpha: String }
`);
const BETA_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
  type Query { beta(waitMs: Int = 0): String }
`);

export interface TestSubgraph extends RunningServer {
  port: number;
  /** Fetches whose connection closed before the answer was sent (the gateway gave up on them). */
  cancelled: number;
  /** Fetches answered. */
  answered: number;
}

type BetaContext = { res: ServerResponse };

/** Serves `alpha` (kind 'alpha') or `beta` on `port` (0: a free one). */
export async function startTestSubgraph(kind: 'alpha' | 'beta', port = 0, keepAliveTimeoutMs?: number): Promise<TestSubgraph> {
  const stats = { cancelled: 0, answered: 0 };
  const schema =
    kind === 'alpha'
      ? buildSubgraphSchema({ typeDefs: ALPHA_SDL, resolvers: { Query: { alpha: () => ((stats.answered += 1), 'a') } } })
      : buildSubgraphSchema({
          typeDefs: BETA_SDL,
          resolvers: {
            Query: {
              beta: (_: unknown, { waitMs }: { waitMs: number }, context: unknown) =>
                new Promise<string>((resolve) => {
                  const timer = setTimeout(() => {
                    stats.answered += 1;
                    resolve('b');
                  }, waitMs);
                  const { res } = context as BetaContext;
                  res.once('close', () => {
                    if (res.writableFinished) return;
                    clearTimeout(timer);
                    stats.cancelled += 1;
                    resolve('gone');
                  });
                }),
            },
          },
        });
  const server = new ApolloServer<BetaContext>({ schema, stopOnTerminationSignals: false, logger: SILENT });
  const running = await serveHttp<BetaContext>({ server, context: (_req, res) => ({ res }), port, host: '127.0.0.1', keepAliveTimeoutMs });
  return {
    ...running,
    port: Number(new URL(running.url).port),
    get cancelled() {
      return stats.cancelled;
    },
    get answered() {
      return stats.answered;
    },
  };
}

/**
 * `beta` as a subgraph of the product serves it (lib/subgraph.ts `startSubgraph`, so with the
 * deadline middleware), resolved by a service call (lib/postGraphQL.ts) to `targetUrl` with a
 * long timeout of its own: shows whether a request's deadline reaches the calls made for it.
 */
export interface RelayingSubgraph extends RunningServer {
  /** How each service call ended, and after how long. */
  calls: { outcome: 'answered' | 'failed'; ms: number }[];
}

export async function startRelayingSubgraph(targetUrl: string): Promise<RelayingSubgraph> {
  const calls: RelayingSubgraph['calls'] = [];
  const signer = new RequestSigner(generateSigningSecret());
  const schema = buildSubgraphSchema({
    typeDefs: BETA_SDL,
    resolvers: {
      Query: {
        beta: async () => {
          const started = Date.now();
          try {
            await postGraphQL(targetUrl, '{ __typename }', {}, { signer, timeoutMs: 20_000 });
            calls.push({ outcome: 'answered', ms: Date.now() - started });
            return 'relayed';
          } catch {
            calls.push({ outcome: 'failed', ms: Date.now() - started });
            return 'the call was cut short';
          }
        },
      },
    },
  });
  const subgraph: Subgraph<BaseContext> = {
    name: 'beta',
    server: new ApolloServer<BaseContext>({ schema, stopOnTerminationSignals: false, logger: SILENT }),
    context: async () => ({ authorization: null, identity: ANONYMOUS, requestId: 'test', internal: false, clientIp: null, userAgent: null }),
    ping: async () => undefined,
    close: async () => undefined,
  };
  const running = await startSubgraph(subgraph, 0);
  return { ...running, calls };
}

/** A TCP server that accepts connections and never answers: a subgraph that hangs (as if SIGSTOPped). */
export interface HungServer {
  url: string;
  port: number;
  /** Connections open now, and the most ever open at once. */
  open(): number;
  peak(): number;
  /**
   * The most connections open at once that had a request on them: the fetches that reached this
   * server together. (A connection the client has just closed may still be open here for a moment
   * while the client opens another, so `peak` can exceed what the client ever held; this cannot.)
   */
  peakBusy(): number;
  /** Connections accepted in all. */
  accepted(): number;
  /** HTTP requests received in all (none is ever answered). */
  requests(): number;
  stop(): Promise<void>;
}

export async function startHungServer(port = 0): Promise<HungServer> {
  const sockets = new Set<Socket>();
  const busy = new Set<Socket>();
  let peak = 0;
  let peakBusy = 0;
  let accepted = 0;
  let requests = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    peak = Math.max(peak, sockets.size);
    socket.on('error', () => undefined);
    // Reads what arrives (counting requests), so a connection the client closes is seen to close.
    socket.on('data', (chunk: Buffer) => {
      requests += chunk.toString('latin1').split('POST ').length - 1;
      busy.add(socket);
      peakBusy = Math.max(peakBusy, busy.size);
    });
    socket.on('close', () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/graphql`,
    port: actual,
    open: () => sockets.size,
    peak: () => peak,
    peakBusy: () => peakBusy,
    accepted: () => accepted,
    requests: () => requests,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The real gateway serving a supergraph that routes `alpha` and `beta` to these URLs, with `env` on top. */
export async function startHarness(urls: { alpha: string; beta: string }, env: Record<string, string> = {}): Promise<Harness> {
  const composed = composeSupergraph([
    { name: 'alpha', url: urls.alpha, typeDefs: ALPHA_SDL },
    { name: 'beta', url: urls.beta, typeDefs: BETA_SDL },
  ]);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-harness-'));
  const supergraphFile = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphFile, composed.supergraphSdl);
  const config = gatewayConfigFromEnv({
    JWT_PUBLIC_KEY: generateSigningKeys().publicKey,
    INTERNAL_SIGNING_SECRET: generateSigningSecret(),
    // Team tokens are not used here; nothing listens at this address.
    TEAMS_SUBGRAPH_URL: 'http://127.0.0.1:9/graphql',
    SUPERGRAPH_FILE: supergraphFile,
    ...testExecutorEnv(),
    ...env,
    PORT: '0',
  });
  const gateway = await startGateway(config, createLogger('gateway', 'silent'));
  return {
    gatewayUrl: gateway.url,
    stop: async () => {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
      assertNoExecutorMismatches();
    },
  };
}
