import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { estimateCost, type CostOptions } from './estimateCost';

/** One estimate, and what it was made from beyond the operation itself. */
interface Estimate {
  schema: GraphQLSchema;
  directives: CostOptions['directives'];
  defaultListSize: number;
  maxListSize: number;
  /** Each variable the estimate read: whether it was sent, and its value. */
  variables: { name: string; sent: boolean; value: unknown }[];
  cost: number;
}

/**
 * Apollo Server's document store hands the same parsed operation to every request with the same
 * text, and an estimate depends on nothing else but the schema, the cost directives and the few
 * variables it reads (slicing arguments such as `first`): those are remembered with it, and a
 * request whose variables read the same (identical values, or absent alike) gets the same cost
 * without the walk. Any other request is estimated afresh, so every request is still held to its
 * own estimate.
 */
const estimates = new WeakMap<OperationDefinitionNode, Estimate>();

function stillHolds(estimate: Estimate, schema: GraphQLSchema, options: CostOptions): boolean {
  if (estimate.schema !== schema || estimate.directives !== options.directives) return false;
  if (estimate.defaultListSize !== options.defaultListSize || estimate.maxListSize !== options.maxListSize) return false;
  for (const { name, sent, value } of estimate.variables) {
    const now = name in options.variables;
    if (now !== sent || (now && options.variables[name] !== value)) return false;
  }
  return true;
}

/** `estimateCost`, remembered per operation (see `estimates`). */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, options: CostOptions): number {
  const known = estimates.get(operation);
  if (known && stillHolds(known, schema, options)) return known.cost;
  const variables: Estimate['variables'] = [];
  const cost = estimateCost(schema, document, operation, { ...options, readVariable: (name, sent, value) => variables.push({ name, sent, value }) });
  estimates.set(operation, { schema, directives: options.directives, defaultListSize: options.defaultListSize, maxListSize: options.maxListSize, variables, cost });
  return cost;
}
