// First, as gateway/main.ts: no dependency's source map is held (what plain `node` on JavaScript does).
import '../../../../lib/ownSourceMapsOnly';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { RequestSigner } from '../../../../lib/auth/RequestSigner';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { cleanEnv, port, str } from '../../../../lib/env';
import { createLogger } from '../../../../lib/logger';
import { runMain } from '../../../../lib/runMain';

/**
 * Stock `@apollo/gateway` + `@apollo/server` as their documentation sets them up, nothing of ours
 * in between: the supergraph file, `RemoteGraphQLDataSource` forwarding the client's
 * Authorization header, the standalone HTTP server.
 */
const env = cleanEnv(process.env, {
  PORT: port({ desc: 'Port to listen on' }),
  SUPERGRAPH_FILE: str({ desc: 'The supergraph to serve' }),
  INTERNAL_SIGNING_SECRET: str({ default: undefined, desc: "The product's signing secret, in front of its real subgraphs" }),
});

/**
 * In front of the product's real subgraphs every fetch must be signed (they answer _entities only
 * then): the default fetcher (make-fetch-happen), with the signature headers added to each call.
 */
function signingFetcher(secret: string): MakeFetchHappen {
  // RemoteGraphQLDataSource's own default fetcher (a dependency of @apollo/gateway, untyped).
  const makeFetchHappen = require('make-fetch-happen') as MakeFetchHappen;
  const signer = new RequestSigner(secret);
  return ((url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const signature = signer.sign({ method: init.method ?? 'POST', path: new URL(url).pathname, body: init.body ?? '', headers });
    return makeFetchHappen(url, { ...init, headers: { ...headers, ...signature } });
  }) as MakeFetchHappen;
}

type MakeFetchHappen = (url: string, init?: { method?: string; body?: string; headers?: Record<string, string> }) => Promise<unknown>;

interface Context {
  authorization?: string;
}

runMain(createLogger('stock-gateway', 'error'), async () => {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(env.SUPERGRAPH_FILE, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<Context>({
        url,
        ...(env.INTERNAL_SIGNING_SECRET ? { fetcher: signingFetcher(env.INTERNAL_SIGNING_SECRET) as never } : {}),
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: env.PORT, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { url, stop: () => server.stop() };
});
