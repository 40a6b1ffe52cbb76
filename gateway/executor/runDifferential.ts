import { executeQueryPlan, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Schema } from '@apollo/federation-internals';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../lib/logger';
import type { CompiledOperation } from './compileOperation';
import { differences } from './compareResults';
import { executeCompiled } from './executeCompiled';
import { recordMismatch } from './executorMismatches';
import { joinPartResponses } from './mergeEntityFetches';
import { answerAsSent } from './distinctRepresentations';
import type { PlanRun } from './runPlan';

/**
 * GATEWAY_EXECUTOR=differential: every request runs Apollo's `executeQueryPlan` (the reference)
 * and ours on the same plan and the same subgraph answers. The reference runs first against the
 * real subgraphs, each answer recorded as it arrived (a copy: both executors change the objects
 * they merge); ours then gets those answers replayed, so a mutation is sent once and the
 * comparison is deterministic (a request of ours that merges several fetches, or sends each
 * distinct representation once, gets the answers the reference had for each of its fetches, as the
 * subgraph would answer ours). Any difference in data, errors (message, path, extensions.code),
 * `extensions`, or in the fetches made, is logged as an error, counted (executorMismatches, which
 * the test stack checks when it stops), and answered as the reference's response plus one error
 * with code EXECUTOR_MISMATCH (masked to clients like any unexpected error).
 */
export async function runDifferential(
  compiled: CompiledOperation,
  serviceMap: Record<string, GraphQLDataSource>,
  requestContext: GatewayGraphQLRequestContext,
  apiSchema: Schema,
  logger: Logger,
): Promise<GatewayExecutionResult> {
  const recorded = new Map<string, GatewayGraphQLResponse[]>();
  const keyOf = (service: string, options: GraphQLDataSourceProcessOptions) =>
    `${service}\n${options.request.query}\n${JSON.stringify(options.request.variables ?? {})}`;
  const recording = wrapServices(serviceMap, async (service, source, options) => {
    const response = await source.process(options);
    const key = keyOf(service, options);
    recorded.set(key, [...(recorded.get(key) ?? []), structuredClone(response)]);
    return response;
  });
  const replay = (service: string, options: GraphQLDataSourceProcessOptions) => {
    const answer = recorded.get(keyOf(service, options))?.shift();
    if (!answer) throw new Error(`differential: the reference made no such fetch to ${service}`);
    return structuredClone(answer);
  };
  // A request of ours that is not one of the reference's (fetches merged, representations made
  // distinct) is answered with what the reference got for each of its fetches, as sent by ours.
  const references: NonNullable<PlanRun['references']> = new Map();
  const replaying = wrapServices(serviceMap, async (service, _source, options) => {
    const sent = references.get(options.request);
    if (!sent) return replay(service, options);
    const answers = sent.parts.map((part) => answerAsSent(replay(service, { ...options, request: part.request } as GraphQLDataSourceProcessOptions), part.slots));
    return sent.merged ? joinPartResponses(answers, sent.merged) : answers[0]!;
  });
  const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: unknown[] };
  const reference = await settle(() =>
    executeQueryPlan(compiled.plan, recording, requestContext, compiled.operationContext, compiled.supergraph, apiSchema),
  );
  const referencePaths = metrics.nonFtv1ErrorPaths;
  metrics.nonFtv1ErrorPaths = referencePaths ? [...referencePaths] : undefined;
  const ours = await settle(() => executeCompiled(compiled, replaying, requestContext, null, references));
  metrics.nonFtv1ErrorPaths = referencePaths;
  const found = differences(reference, ours);
  const unreplayed = [...recorded].filter(([, answers]) => answers.length > 0).map(([key]) => key.split('\n')[0]);
  if (unreplayed.length > 0) found.push(`fetches the reference made and ours did not: ${unreplayed.join(', ')}`);
  if ('thrown' in reference) {
    if (found.length > 0) report(found, requestContext, logger);
    throw reference.thrown;
  }
  if (found.length === 0) return reference.result;
  report(found, requestContext, logger);
  const mismatch = new GraphQLError('the gateway executors disagree on this response', { extensions: { code: 'EXECUTOR_MISMATCH' } });
  return { ...reference.result, errors: [...(reference.result.errors ?? []), mismatch] };
}

export type Settled = { result: GatewayExecutionResult } | { thrown: unknown };

async function settle(run: () => Promise<GatewayExecutionResult>): Promise<Settled> {
  try {
    return { result: await run() };
  } catch (thrown) {
    return { thrown };
  }
}

function report(found: string[], requestContext: GatewayGraphQLRequestContext, logger: Logger): void {
  const detail = { operationName: requestContext.request.operationName ?? null, query: requestContext.source, variables: requestContext.request.variables ?? {}, differences: found };
  recordMismatch(JSON.stringify(detail));
  logger.error('EXECUTOR MISMATCH: the fast executor and Apollo disagree', detail);
}

type Process = (service: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions) => Promise<GatewayGraphQLResponse>;

function wrapServices(serviceMap: Record<string, GraphQLDataSource>, process: Process): Record<string, GraphQLDataSource> {
  const wrapped: Record<string, GraphQLDataSource> = Object.create(null);
  for (const [name, source] of Object.entries(serviceMap)) wrapped[name] = { process: (options) => process(name, source, options as GraphQLDataSourceProcessOptions) };
  return wrapped;
}
