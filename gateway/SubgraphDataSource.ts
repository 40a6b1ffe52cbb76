import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Context } from '@opentelemetry/api';
import { Kind, OperationTypeNode, parse, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';
import type { Logger } from '../lib/logger';
import { activeSpanContextOr } from '../lib/tracing/tracing';
import type { GatewayContext } from './context';
import { SubgraphFailure, type Send, type SubgraphResponse } from './client/types';

/**
 * The one place that decides what travels from a client request to the subgraphs: only the
 * headers in `FORWARDED_HEADERS`, never cookies or anything else the client sent.
 */
export const FORWARDED_HEADERS = ['authorization', 'x-request-id', 'user-agent'] as const;

/** Set by the gateway from the connection it accepted (for login throttling and the audit trail). */
export const CLIENT_IP_HEADER = 'x-client-ip';

/** What the gateway's executor adds to a fetch's options while tracing: the context of its gateway.fetch span. */
export interface TracedFetch {
  trace?: Context;
}

/** The deadline of a fetch made outside a client request (health checks), ms. */
const UNSCOPED_DEADLINE_MS = 10_000;

/**
 * How the gateway talks to one subgraph (@apollo/gateway's `GraphQLDataSource`), over the
 * gateway's own client (gateway/client: pooled undici, time bounds, retry, breaker, signing).
 * Beyond forwarding the allowlisted headers, it turns a subgraph that cannot answer (down, hung,
 * too slow, its breaker open, a 5xx) into GraphQL errors placed at exactly the fields that
 * subgraph was asked for, so the client gets every other part of the response, and errors with
 * paths that say which part is missing. A 4xx answer that carries GraphQL errors (the subgraph
 * refused the request) passes on its errors; nothing else of a subgraph's HTTP answer (URL,
 * status, body, headers) ever reaches the client.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraphName: string,
    private readonly url: string,
    private readonly send: Send,
    private readonly logger: Logger,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    // A fetch for a client's operation (the others, health checks, carry no client context).
    const incoming = 'incomingRequestContext' in options;
    const context: Partial<GatewayContext> = incoming ? options.context : {};
    const document = incoming ? options.document : undefined;
    const query = request.query ?? '';
    try {
      const response = await this.send({
        subgraph: this.subgraphName,
        url: this.url,
        body: Buffer.from(JSON.stringify({ query, variables: request.variables, operationName: request.operationName, extensions: request.extensions })),
        headers: { 'content-type': 'application/json', ...context.forwardedHeaders },
        idempotent: isQuery(query, document),
        signal: context.signal,
        deadlineAt: context.deadlineAt ?? Date.now() + UNSCOPED_DEADLINE_MS,
        // A fetch of Apollo's executor hangs from its gateway.fetch span where async context carries
        // that, else (the gateway without async context) from the request's span.
        trace: (options as TracedFetch).trace ?? (context.trace && activeSpanContextOr(context.trace)),
      });
      const answer = graphQLAnswer(response);
      if (answer) return answer;
      this.logger.error(`subgraph ${this.subgraphName} answered HTTP ${response.status} without GraphQL errors`, { requestId: context.requestId }, context.trace);
    } catch (failure) {
      // A client gone or an open breaker is routine (the breaker logs its changes); the rest is not.
      const routine = failure instanceof SubgraphFailure && (failure.reason === 'cancelled' || failure.reason === 'circuit-open');
      this.logger[routine ? 'debug' : 'error'](`subgraph ${this.subgraphName} could not answer`, failure instanceof SubgraphFailure ? { requestId: context.requestId, ...failure.toJSON() } : failure, context.trace);
      // Nobody reads the answer of a client that has gone: one error stands for the whole fetch
      // instead of one for each field of each of its entities (hundreds, built while the client
      // is already gone: at the end of every load test, and under overload, where it matters).
      if (failure instanceof SubgraphFailure && failure.reason === 'cancelled') return { errors: [unavailableError([])] };
    }
    return { errors: unavailableErrors(document ?? safeParse(query), request.variables) };
  }
}

/** What of a subgraph's answer goes on: `data` and `errors` of a 2xx, the `errors` of a 4xx; null for anything else. */
function graphQLAnswer(response: SubgraphResponse): GatewayGraphQLResponse | null {
  const body = response.body as GatewayGraphQLResponse | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const errors = Array.isArray(body.errors) && body.errors.length > 0 ? body.errors : undefined;
  if (response.status >= 200 && response.status < 300 && ('data' in body || errors)) {
    return errors ? { data: body.data, errors } : { data: body.data };
  }
  if (response.status >= 400 && errors) return { errors };
  return null;
}

/** Whether the subgraph operation only reads (a query may be sent twice; a mutation never). */
function isQuery(query: string, document: DocumentNode | undefined): boolean {
  const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation?.kind === Kind.OPERATION_DEFINITION) return operation.operation === OperationTypeNode.QUERY;
  // The gateway writes subgraph operations itself: `query ...` or `{ ... }` for reads.
  return /^\s*(query\b|\{)/.test(query);
}

function safeParse(query: string): DocumentNode | undefined {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

function unavailableError(path: (string | number)[]) {
  return { message: 'this part of the response is unavailable right now; try again shortly', path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
}

/** One error per field the failed fetch was to provide, at that field's path in the subgraph operation. */
function unavailableErrors(document: DocumentNode | undefined, variables: Record<string, unknown> | undefined) {
  const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [unavailableError([])];
  const roots = operation.selectionSet.selections.filter((selection): selection is FieldNode => selection.kind === Kind.FIELD && selection.name.value !== '__typename');
  if (roots.length === 0 || roots.some((root) => root.name.value !== '_entities')) return responseKeys(operation.selectionSet).map((key) => unavailableError([key]));
  // Entity fetches (one, or several under aliases as the gateway merges them): paths go through
  // each `_entities` field, which the gateway maps back to where each entity sits in the
  // client's response.
  return roots.flatMap((entities) => {
    const key = entities.alias?.value ?? entities.name.value;
    const fields = entities.selectionSet ? responseKeys(entities.selectionSet) : [];
    const argument = entities.arguments?.find((candidate) => candidate.name.value === 'representations')?.value;
    const list = argument?.kind === Kind.VARIABLE ? variables?.[argument.name.value] : undefined;
    const count = Array.isArray(list) ? list.length : 0;
    return Array.from({ length: count }, (_, index) => fields.map((field) => unavailableError([key, index, field]))).flat();
  });
}

/** The response keys a selection set asks for, looking through inline fragments. */
function responseKeys(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === '__typename' ? [] : [selection.alias?.value ?? selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return responseKeys(selection.selectionSet);
    return [];
  });
}
