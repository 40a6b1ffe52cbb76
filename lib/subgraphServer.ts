import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
// @apollo/subgraph does not export this type from its root; this is the one place that reaches in.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type DocumentNode } from 'graphql';
import type { Authenticator } from './auth/authenticator';
import type { Identity } from './auth/identity';
import { errorLogging, maskUnexpectedError } from './errors';
import { internalFieldsGuard } from './internalFields';
import { rawBodyOf } from './httpServer';
import { requestIdFrom } from './requestId';
import type { Logger } from './logger';
import { traceResolvers } from './tracing/traceResolvers';

/** Reads a subgraph's `schema.graphql`, the same file composition and schema checks read. */
export function loadTypeDefs(schemaFile: string): DocumentNode {
  return parse(readFileSync(schemaFile, 'utf8'));
}

export type ResolverMap<TContext> = GraphQLResolverMap<TContext>;

/** What every subgraph's request context carries besides its own loaders. */
export interface BaseContext {
  /** The caller's `Authorization` header as the gateway forwarded it. */
  authorization: string | null;
  /** Who is asking, verified by this service itself (see lib/auth/authenticator.ts). */
  identity: Identity;
  /** The gateway's request id (`x-request-id`), or a new one for a direct call; in every log line about the request. */
  requestId: string;
  /**
   * Whether the request is signed by the gateway or another service of the product (see
   * lib/auth/RequestSigner.ts): only such requests may ask the federation-internal fields.
   */
  internal: boolean;
  /** The client's address as the gateway saw it (or this connection's peer for a direct call). */
  clientIp: string | null;
  userAgent: string | null;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** What every subgraph's context carries; an invalid credential is refused here with a 401. */
export async function baseContext(req: IncomingMessage, authenticator: Authenticator): Promise<BaseContext> {
  const authorization = header(req, 'authorization');
  const peer = req.socket.remoteAddress ?? null;
  // Express rewrites `url` below a mount point; the signature covers the path the caller sent.
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const internal = authenticator.signer.verify({ method: req.method ?? '', path, body: rawBodyOf(req), headers: req.headers });
  return {
    authorization,
    identity: await authenticator.identify(authorization),
    requestId: requestIdFrom(header(req, 'x-request-id')),
    internal,
    // Only the gateway may say who the client is: in a request it signed, from an address it is
    // known by. A direct caller is who its socket says it is, whatever headers it sends.
    clientIp: (internal && peer && authenticator.trustedProxies.has(peer) ? header(req, 'x-client-ip') : null) ?? peer,
    userAgent: header(req, 'user-agent'),
  };
}

export function buildSubgraphServer<TContext extends BaseContext>(
  typeDefs: DocumentNode,
  resolvers: GraphQLResolverMap<TContext>,
  logger: Logger,
): ApolloServer<TContext> {
  return new ApolloServer<TContext>({
    schema: traceResolvers(buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> })),
    formatError: maskUnexpectedError(),
    plugins: [internalFieldsGuard<TContext>(), errorLogging<TContext>(logger)],
    includeStacktraceInErrorResponses: false,
    // Signals belong to runMain, which drains HTTP first and stops the server last.
    stopOnTerminationSignals: false,
    logger,
  });
}
