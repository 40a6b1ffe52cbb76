import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
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
});

interface Context {
  authorization?: string;
}

runMain(createLogger('stock-gateway', 'error'), async () => {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(env.SUPERGRAPH_FILE, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<Context>({
        url,
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
