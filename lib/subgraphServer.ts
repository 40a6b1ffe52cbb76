import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
// @apollo/subgraph does not export this type from its root; this is the one place that reaches in.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { randomUUID } from 'node:crypto';
import { parse, type DocumentNode } from 'graphql';
import { errorLogging, maskUnexpectedError } from './errors';
import type { Logger } from './logger';

/** Reads a subgraph's `schema.graphql`, the same file composition and schema checks read. */
export function loadTypeDefs(schemaFile: string): DocumentNode {
  return parse(readFileSync(schemaFile, 'utf8'));
}

export type ResolverMap<TContext> = GraphQLResolverMap<TContext>;

/** What every subgraph's request context carries besides its own loaders. */
export interface BaseContext {
  /** The caller's `Authorization` header as the gateway forwarded it. */
  authorization: string | null;
  /** The gateway's request id (`x-request-id`), or a new one for a direct call; in every log line about the request. */
  requestId: string;
}

export function baseContext(req: IncomingMessage): BaseContext {
  const authorization = req.headers.authorization;
  const requestId = req.headers['x-request-id'];
  return {
    authorization: typeof authorization === 'string' && authorization.length > 0 ? authorization : null,
    requestId: typeof requestId === 'string' && /^[\w-]{1,100}$/.test(requestId) ? requestId : randomUUID(),
  };
}

export function buildSubgraphServer<TContext extends BaseContext>(
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<TContext>,
  logger: Logger,
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    formatError: maskUnexpectedError(),
    plugins: [errorLogging<TContext>(logger)],
    includeStacktraceInErrorResponses: false,
    // Signals belong to runMain, which drains HTTP first and stops the server last.
    stopOnTerminationSignals: false,
    logger,
  });
}
