import { buildOperationContext, type GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, GraphQLError, parse, type GraphQLSchema } from 'graphql';
import type { FetchBatching } from '../../gateway/executor/compileBatches';
import { compileOperation } from '../../gateway/executor/compileOperation';
import { composeSupergraph } from '../../schema/composeSupergraph';
import { STANDARD_QUERY } from '../../scripts/bench/gateway/standard/query';
import { STANDARD_SUBGRAPHS, standardSubgraphSchema, standardTypeDefs, type StandardSubgraph } from '../../scripts/bench/gateway/standard/subgraphs';
import { inStock } from '../../scripts/bench/gateway/standard/data';
import { createLogger } from '../../lib/logger';
import { SubgraphDataSource } from '../../gateway/SubgraphDataSource';
import { SubgraphFailure, type Send } from '../../gateway/client/types';

/**
 * The standard federation benchmark's four subgraphs in-process, for executor tests: the real
 * planner's plans for their supergraph, compiled as the gateway compiles them, and data sources
 * that execute each fetch against a subgraph's own schema (no HTTP: that is the e2e tests').
 */
const composed = composeSupergraph(STANDARD_SUBGRAPHS.map((name) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(standardTypeDefs(name)) })));
if (!composed.ok) throw new Error(composed.errors.join('\n'));
export const supergraph = Supergraph.build(composed.supergraphSdl);
export const planner = new QueryPlanner(supergraph);
export const supergraphSchema = supergraph.schema.toGraphQLJSSchema();
export const apiSchema = supergraph.apiSchema();
const apiGraphQLSchema = apiSchema.toGraphQLJSSchema();

export function compile(query: string, batching: FetchBatching) {
  const document = parse(query);
  const plan = planner.buildQueryPlan(operationFromDocument(apiSchema, document));
  return compileOperation(plan, buildOperationContext({ schema: apiGraphQLSchema, operationDocument: document }), supergraphSchema, apiSchema, batching);
}

/** Products whose stock the failing inventory cannot tell. */
export const FAILING_UPC = '2';

/** The inventory subgraph, but `inStock` fails for one product (errors inside `_entities`, at a path). */
export function failingInventory(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(standardTypeDefs('inventory')),
    resolvers: {
      Product: {
        __resolveReference: (reference: { upc: string }) => reference,
        inStock: ({ upc }: { upc: string }) => {
          if (upc === FAILING_UPC) throw new GraphQLError(`stock of ${upc} unknown`, { extensions: { code: 'STOCK_UNKNOWN' } });
          return inStock(upc);
        },
        shippingEstimate: (product: { price?: number; weight?: number }) => (product.price ?? 0) + (product.weight ?? 0),
      },
    } as never,
  });
}

export interface Sent {
  subgraph: string;
  query: string;
  variables?: Record<string, unknown>;
}

/** Data sources that execute each fetch in-process against a subgraph schema, recording what was sent. */
export function dataSources(schemas: Record<StandardSubgraph, GraphQLSchema>, sent: Sent[], refuse?: StandardSubgraph, down?: StandardSubgraph): Record<string, GraphQLDataSource> {
  const sources: Record<string, GraphQLDataSource> = {};
  for (const name of STANDARD_SUBGRAPHS) {
    // A subgraph that cannot be reached, behind the gateway's own data source (which places the errors).
    const unreachable: Send = async (request) => {
      sent.push({ subgraph: name, query: (JSON.parse(request.body.toString()) as { query: string }).query });
      throw new SubgraphFailure('connection', name, true);
    };
    if (name === down) {
      sources[name] = new SubgraphDataSource(name, `http://${name}.invalid/graphql`, unreachable, createLogger('test', 'silent')) as GraphQLDataSource;
      continue;
    }
    sources[name] = {
      async process({ request }): Promise<GatewayGraphQLResponse> {
        sent.push({ subgraph: name, query: request.query!, variables: request.variables });
        // A refused request: errors without a path and no data (as a 4xx carrying GraphQL errors).
        if (name === refuse) return { errors: [{ message: 'this operation is not allowed', extensions: { code: 'FORBIDDEN' } }] };
        const result = await execute({ schema: schemas[name], document: parse(request.query!), variableValues: request.variables, operationName: request.operationName });
        return JSON.parse(JSON.stringify(result)) as GatewayGraphQLResponse;
      },
    };
  }
  return sources;
}

export function requestContext(): GatewayGraphQLRequestContext {
  return { request: { query: STANDARD_QUERY, variables: {} }, context: {}, metrics: {} } as unknown as GatewayGraphQLRequestContext;
}

export const standardSchemas = () => Object.fromEntries(STANDARD_SUBGRAPHS.map((name) => [name, standardSubgraphSchema(name)])) as Record<StandardSubgraph, GraphQLSchema>;

export const errorKeys = (errors: readonly GraphQLError[] | undefined) =>
  (errors ?? []).map((error) => JSON.stringify({ message: error.message, path: error.path, code: error.extensions?.code })).sort();
