import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedError } from './errors';
import type { Logger } from './logger';

/** Reads a subgraph's `schema.graphql`, the same file composition and schema checks read. */
export function loadTypeDefs(schemaFile: string): DocumentNode {
  return parse(readFileSync(schemaFile, 'utf8'));
}

/** What every subgraph's request context carries besides its own loaders. */
export interface BaseContext {
  /** The caller's `Authorization` header as the gateway forwarded it (verified from issue 3 on). */
  authorization: string | null;
}

export function buildSubgraphServer<TContext extends BaseContext>(
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<TContext>,
  logger: Logger,
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    formatError: maskUnexpectedError(logger),
    includeStacktraceInErrorResponses: false,
    logger,
  });
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Listens on `port` (0 picks a free one) and builds each request's context with `context`. */
export async function listen<TContext extends object>(
  server: ApolloServer<TContext>,
  port: number,
  context: (req: IncomingMessage) => Promise<TContext> | TContext,
  host = '127.0.0.1',
): Promise<RunningServer> {
  const { url } = await startStandaloneServer(server, {
    listen: { port, host },
    context: async ({ req }) => context(req),
  });
  return { url, stop: () => server.stop() };
}

export function authorizationOf(req: IncomingMessage): string | null {
  const value = req.headers.authorization;
  return typeof value === 'string' && value.length > 0 ? value : null;
}
