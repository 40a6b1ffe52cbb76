import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { executeSync, GraphQLError } from 'graphql';
import type { CompiledOperation } from './compileOperation';
import type { CompiledShape } from './compileShape';
import type { PlanSpans } from './PlanSpans';
import { runBatches } from './runBatches';
import { runStep, type PlanRun } from './runPlan';
import { shapeResponse } from './shapeResponse';

/**
 * One request of a compiled operation: the plan's steps, then the response shaped in one pass;
 * the result is what @apollo/gateway's `executeQueryPlan` returns for the same plan and answers
 * (fetch errors in `errors` beside the data; shaping errors in `extensions.valueCompletion`
 * only when no fetch failed; a shaping failure as the only error). With `spans` (tracing on),
 * each fetch and the shaping get theirs.
 */
export async function executeCompiled(
  compiled: CompiledOperation,
  serviceMap: Record<string, GraphQLDataSource>,
  requestContext: GatewayGraphQLRequestContext,
  spans: PlanSpans | null = null,
  references: PlanRun['references'] = null,
): Promise<GatewayExecutionResult> {
  const { shape, operation } = compiled;
  if (compiled.shapeError || !shape || !operation) return { errors: [compiled.shapeError!] };
  const run: PlanRun = { serviceMap, requestContext, supergraph: compiled.supergraph, operation, data: {}, errors: [], spans, references };
  if (compiled.batches) await runBatches(run, compiled.batches);
  else if (compiled.step) await runStep(run, compiled.step, run.data, []);
  return spans ? spans.postprocessing(() => respond(compiled, shape, run)) : respond(compiled, shape, run);
}

function respond(compiled: CompiledOperation, shape: CompiledShape, run: PlanRun): GatewayExecutionResult {
  const variables = run.requestContext.request.variables;
  let shaped;
  try {
    shaped = shapeResponse(shape, run.data, variables, (selection) => {
      const { data, errors } = executeSync({ schema: compiled.operationContext.schema, document: selection.document, rootValue: {}, variableValues: variables });
      if ((errors && errors.length > 0) || !data) throw new Error(`Introspection query for ${selection.responseName} should not have failed`);
      return Object.prototype.hasOwnProperty.call(data, selection.responseName) ? data[selection.responseName] : undefined;
    });
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  if (run.errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
  return run.errors.length === 0 ? { data: shaped.data } : { errors: run.errors as GraphQLError[], data: shaped.data };
}
