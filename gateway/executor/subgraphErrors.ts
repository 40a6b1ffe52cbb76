import { generateHydratedPaths } from '@apollo/gateway/dist/executeQueryPlan';
import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import type { FetchNode } from '@apollo/query-planner';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * A subgraph's errors as the client's errors, exactly as @apollo/gateway makes them
 * (executeQueryPlan.js `downstreamServiceError` and `makeLazyErrorPathGenerator`): the path moved
 * from the subgraph operation into the client's response (through `_entities`, by where each
 * entity sits in the result tree), the code kept or DOWNSTREAM_SERVICE_ERROR, the service named in
 * `serviceName` (which formatGatewayError removes before a client sees it).
 */
export function subgraphErrors(
  errors: readonly GraphQLFormattedError[],
  fetch: FetchNode,
  path: (string | number)[],
  result: Record<string, unknown>,
): GraphQLError[] {
  let hydrated: (string | number)[][] | undefined;
  const pathOf = (errorPath: readonly (string | number)[] | undefined) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], path, result, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...path, ...errorPath] : undefined;
  };
  return errors.map((error) => {
    const message = error.message || `Error while fetching subquery from service "${fetch.serviceName}"`;
    const options = { originalError: error as unknown as Error, path: pathOf(error.path), extensions: { ...error.extensions, serviceName: fetch.serviceName } };
    const codeDef = errorCodeDef(error);
    if (!codeDef && error.extensions?.code) return new GraphQLError(message, options);
    return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
  });
}
