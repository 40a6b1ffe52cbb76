import type { IncomingMessage } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { serveHttp, type HttpServerOptions, type RunningServer } from './httpServer';
import type { BaseContext } from './subgraphServer';
import { boundedByDeadline } from './deadline';
import { inRequestScope } from './metrics/requestWork';
import { traceRequests } from './tracing/traceRequests';

/** A built subgraph: its server, how to make a request's context, and how to release its clients. */
export interface Subgraph<TContext extends BaseContext> {
  name: string;
  server: ApolloServer<TContext>;
  context(req: IncomingMessage): Promise<TContext>;
  /** Resolves when the subgraph's database answers (its readiness check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a built subgraph on `port` (0 picks a free port); `stop` also closes its database client. */
export async function startSubgraph<TContext extends BaseContext>(
  subgraph: Subgraph<TContext>,
  port: number,
  host?: string,
  http: Pick<HttpServerOptions<TContext>, 'shutdownDelayMs' | 'logger' | 'keepAliveTimeoutMs' | 'metrics'> = {},
): Promise<RunningServer> {
  try {
    const running = await serveHttp({
      server: subgraph.server,
      context: (req) => subgraph.context(req),
      port,
      host: host ?? '127.0.0.1',
      readiness: [{ name: 'database', check: () => subgraph.ping() }],
      // The request's span first, so all its work runs inside it. Work on a request stops at the
      // deadline its caller sent, or when the caller goes away. Its database calls are counted as
      // the request's (lib/metrics/requestWork.ts).
      beforeGraphQL: [traceRequests(subgraph.name), inRequestScope(), boundedByDeadline()],
      ...http,
    });
    return {
      url: running.url,
      stop: async () => {
        await running.stop();
        await subgraph.close();
      },
    };
  } catch (error) {
    await subgraph.close();
    throw error;
  }
}
