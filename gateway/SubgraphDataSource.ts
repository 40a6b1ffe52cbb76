import {
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Kind, parse, type SelectionSetNode } from 'graphql';
import type { Logger } from '../lib/logger';
import type { GatewayContext } from './context';

/**
 * The one place that decides what travels from a client request to the subgraphs: only the
 * headers in `FORWARDED_HEADERS`, never cookies or anything else the client sent.
 */
export const FORWARDED_HEADERS = ['authorization', 'x-request-id', 'user-agent'] as const;

/** Set by the gateway from the connection it accepted (for login throttling and the audit trail). */
export const CLIENT_IP_HEADER = 'x-client-ip';

/**
 * How the gateway talks to one subgraph. Beyond forwarding the allowlisted headers, it turns a
 * subgraph that cannot be reached (or fails with a 5xx) into GraphQL errors placed at exactly the
 * fields that subgraph was asked for, so the client gets every other part of the response, and
 * errors with paths that say which part is missing, never an internal address or service name.
 * A 4xx answer that carries GraphQL errors (the subgraph refused the request) passes through.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    url: string,
    private readonly logger: Logger,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = (context as Partial<GatewayContext>).forwardedHeaders;
    if (!headers || !request.http) return;
    for (const [name, value] of Object.entries(headers)) request.http.headers.set(name, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const extensions = (error as { extensions?: { code?: unknown; response?: { status?: number; body?: unknown } } }).extensions;
      if (extensions?.code === 'UNAUTHENTICATED' || extensions?.code === 'FORBIDDEN') throw error;
      const status = extensions?.response?.status ?? 0;
      const body = extensions?.response?.body as GatewayGraphQLResponse | undefined;
      if (status >= 400 && status < 500 && Array.isArray(body?.errors) && body.errors.length > 0) return { errors: body.errors };
      this.logger.error(`subgraph ${this.subgraphName} could not answer`, error);
      return { errors: unavailableErrors(options.request.query, options.request.variables) };
    }
  }
}

/** One error per field the failed fetch was to provide, at that field's path in the subgraph operation. */
function unavailableErrors(query: string | undefined, variables: Record<string, unknown> | undefined) {
  const error = (path: (string | number)[]) => ({
    message: 'this part of the response is unavailable right now; try again shortly',
    path,
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });
  const operation = query ? parse(query).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) : undefined;
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [error([])];
  const roots = responseKeys(operation.selectionSet);
  if (roots.length !== 1 || roots[0] !== '_entities') return roots.map((key) => error([key]));
  // An entity fetch: paths go through `_entities`, which the gateway maps back to where each
  // entity sits in the client's response.
  const entities = operation.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
  const fields = entities?.kind === Kind.FIELD && entities.selectionSet ? responseKeys(entities.selectionSet) : [];
  const count = Array.isArray(variables?.representations) ? variables.representations.length : 0;
  return Array.from({ length: count }, (_, index) => fields.map((field) => error(['_entities', index, field]))).flat();
}

/** The response keys a selection set asks for, looking through inline fragments. */
function responseKeys(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === '__typename' ? [] : [selection.alias?.value ?? selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return responseKeys(selection.selectionSet);
    return [];
  });
}
