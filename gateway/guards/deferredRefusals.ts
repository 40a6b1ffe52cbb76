import type { GraphQLRequest, GraphQLRequestContext } from '@apollo/server';
import { parse, type DocumentNode, type GraphQLError } from 'graphql';

/**
 * Apollo Server answers an error thrown from `requestDidStart` or `validationDidStart` with a
 * 500; only `didResolveOperation` may refuse a request with a status of its own. A guard that
 * decides earlier (a document too large to be worth validating, an operation not in the
 * safelist) swaps in a stand-in that costs nothing to parse and validate, and the refusal is
 * thrown once the pipeline reaches `didResolveOperation` (see `operationGuards`).
 */
const STAND_IN_QUERY = '{ __typename }';

const byDocument = new WeakMap<DocumentNode, () => GraphQLError>();
const byRequest = new WeakMap<GraphQLRequest, () => GraphQLError>();

/**
 * Before validation: validate a stand-in instead. Apollo Server's document store keeps the
 * stand-in under the refused text's hash, so the same text sent again is refused from there,
 * without being parsed again.
 */
export function refuseDocument(requestContext: Pick<GraphQLRequestContext<object>, 'document'>, refusal: () => GraphQLError): void {
  const standIn = parse(STAND_IN_QUERY);
  byDocument.set(standIn, refusal);
  (requestContext as { document: DocumentNode }).document = standIn;
}

/** When the request starts: run the stand-in query instead of whatever the request carries. */
export function refuseRequest(request: GraphQLRequest, refusal: () => GraphQLError): void {
  byRequest.set(request, refusal);
  request.query = STAND_IN_QUERY;
  request.operationName = undefined;
  if (request.extensions) delete request.extensions.persistedQuery;
}

/** The refusal decided earlier for this request, if one was. */
export function deferredRefusal(requestContext: Pick<GraphQLRequestContext<object>, 'request' | 'document'>): GraphQLError | undefined {
  return (byRequest.get(requestContext.request) ?? (requestContext.document ? byDocument.get(requestContext.document) : undefined))?.();
}
