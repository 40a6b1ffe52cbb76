import type { OperationContext } from '@apollo/gateway/dist/operationContext';
import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { QueryPlan } from '@apollo/query-planner';
import { GraphQLError, Kind, type GraphQLSchema } from 'graphql';
import { compileBatches, type BatchPlan, type FetchBatching } from './compileBatches';
import { compilePlan, type Step } from './compilePlan';
import { compileShape, type CompiledShape } from './compileShape';

/** One operation of one supergraph, compiled once: its plan's steps and its response shape. */
export interface CompiledOperation {
  plan: QueryPlan;
  operationContext: OperationContext;
  step: Step | null;
  /** The plan's fetches put together into fewer requests (null: it runs as `step`). */
  batches: BatchPlan | null;
  /** Null when the operation could not be read for shaping (then `shapeError` is the answer). */
  shape: CompiledShape | null;
  operation: Operation | null;
  shapeError: GraphQLError | null;
  supergraph: GraphQLSchema;
}

export function compileOperation(
  plan: QueryPlan,
  operationContext: OperationContext,
  supergraph: GraphQLSchema,
  apiSchema: Schema,
  batching: FetchBatching = 'levels',
): CompiledOperation {
  const step = compilePlan(plan, supergraph);
  const base = { plan, operationContext, supergraph, step, batches: compileBatches(step, batching) };
  let operation: Operation;
  try {
    // The operation exactly as executeQueryPlan.js reads it for shaping on every request.
    operation = operationFromDocument(
      apiSchema,
      { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] },
      { validate: false },
    );
  } catch (error) {
    if (error instanceof GraphQLError) return { ...base, shape: null, operation: null, shapeError: error };
    throw error;
  }
  return { ...base, shape: compileShape(operation, operationContext.operation.variableDefinitions), operation, shapeError: null };
}
