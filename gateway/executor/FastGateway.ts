import { ApolloGateway, buildOperationContext, type GatewayConfig as ApolloGatewayConfig, type GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, type Schema } from '@apollo/federation-internals';
import type { QueryPlanner } from '@apollo/query-planner';
import type { Tracer } from '@opentelemetry/api';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { getVariableValues, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from '../../lib/logger';
import type { FetchBatching } from './compileBatches';
import { compileOperation, type CompiledOperation } from './compileOperation';
import { executeCompiled } from './executeCompiled';
import { runDifferential } from './runDifferential';
import { serviceTracer } from '../../lib/tracing/tracing';
import { PlanSpans } from './PlanSpans';
import type { GatewayContext } from '../context';

/** Which executor runs query plans (GATEWAY_EXECUTOR; README "Gateway executor"). */
export type ExecutorMode = 'fast' | 'apollo' | 'differential';

/** How many compiled operations are kept (the oldest goes first); a new supergraph starts over. */
export const COMPILED_OPERATIONS_KEPT = 1000;

/**
 * The parts of ApolloGateway this class reads. They are private in its typings; they are what its
 * own `executor` uses (index.js), set on every supergraph update.
 */
interface GatewayInternals {
  schema?: GraphQLSchema;
  apiSchema?: Schema;
  supergraphSchema?: GraphQLSchema;
  queryPlanner?: QueryPlanner;
  serviceMap: Record<string, { dataSource: GraphQLDataSource }>;
  recursiveSelectionsLimitDisabled: boolean;
  nonLocalSelectionsLimitDisabled: boolean;
  config: { __exposeQueryPlanExperimental?: boolean; experimental_didResolveQueryPlan?: unknown };
}

/**
 * ApolloGateway with a plan executor of our own. The seam: ApolloGateway hands Apollo Server its
 * `executor` property from `load()`; this class replaces that property in its constructor with
 * one that does what Apollo's does (operation context, variable validation, planning with the
 * gateway's own QueryPlanner and limits) but keeps each operation compiled (plan steps and
 * response shape, `compileOperation`) keyed by the operation's hash and name, and runs it with
 * `executeCompiled`. Supergraph loading, updates, data sources and planning stay Apollo's.
 *
 * Apollo's executor stays in use, whatever the mode, for what only it does: a request that
 * captures traces for Apollo Studio, the query-plan header of development
 * (Apollo-Query-Plan-Experimental), and an operation with a `__proto__` response name. Mode
 * `apollo` uses it for everything; `differential` runs both on every request (runDifferential).
 * With OpenTelemetry tracing on, the requests it runs itself get the spans Apollo's executor would
 * make (PlanSpans); with it off, no span work at all.
 */
export class FastGateway extends ApolloGateway {
  private readonly apolloExecutor: ApolloGateway['executor'];
  private readonly compiled = new Map<string, CompiledOperation>();
  private compiledFor: GraphQLSchema | undefined;
  /** The gateway's tracer while tracing is on: then each request gets its spans (PlanSpans); null, none. */
  private readonly tracer: Tracer | null;

  constructor(
    config: ApolloGatewayConfig,
    private readonly mode: ExecutorMode,
    private readonly log: Logger,
    /** Told of each lookup of a compiled operation (the gateway's plan-cache metrics: a hit, or a miss that plans). */
    private readonly onPlanLookup: (hit: boolean) => void = () => undefined,
    /** How fetches to one subgraph are put together into one request (GATEWAY_FETCH_BATCHING). */
    private readonly batching: FetchBatching = 'levels',
  ) {
    super(config);
    this.apolloExecutor = this.executor;
    // Taken once, as the subgraph client takes it: tracing starts before the gateway is built.
    this.tracer = serviceTracer('gateway');
    if (mode !== 'apollo') this.executor = (requestContext) => this.execute(requestContext);
  }

  private get internals(): GatewayInternals {
    return this as unknown as GatewayInternals;
  }

  private async execute(requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const internals = this.internals;
    if (requestContext.metrics.captureTraces || internals.config.experimental_didResolveQueryPlan) return this.apolloExecutor(requestContext);
    if (internals.config.__exposeQueryPlanExperimental && requestContext.request.http?.headers.get('apollo-query-plan-experimental')) {
      return this.apolloExecutor(requestContext);
    }
    const spans = this.tracer ? PlanSpans.start(this.tracer, requestContext.operationName, (requestContext.context as Partial<GatewayContext>).trace) : null;
    return spans ? spans.around(() => this.run(requestContext, spans)) : this.run(requestContext, null);
  }

  /** The request on the compiled operation; `spans` while tracing is on. */
  private async run(requestContext: GatewayGraphQLRequestContext, spans: PlanSpans | null): Promise<GatewayExecutionResult> {
    const internals = this.internals;
    const { request, document, queryHash } = requestContext;
    if (this.compiledFor !== internals.schema) {
      this.compiled.clear();
      this.compiledFor = internals.schema;
    }
    const key = request.operationName ? `${queryHash}\0${request.operationName}` : queryHash;
    const cached = this.compiled.get(key);
    this.onPlanLookup(cached !== undefined);
    const operationContext = cached?.operationContext ?? buildOperationContext({ schema: internals.schema!, operationDocument: document, operationName: request.operationName });
    spans?.operationType(operationContext.operation.operation);
    const definitions = operationContext.operation.variableDefinitions;
    if (definitions && definitions.length > 0) {
      const { errors } = getVariableValues(operationContext.schema, definitions, request.variables || {});
      if (errors) return { errors: errors as GraphQLError[] };
    }
    const compiled = cached ?? (spans ? spans.plan(request.operationName, () => this.compile(key, requestContext, operationContext)) : this.compile(key, requestContext, operationContext));
    // Apollo's executor, run inside gateway.request when traced, makes its own spans below it.
    if (compiled.shape?.unsafeKeys) return spans ? spans.withinRequest(() => this.apolloExecutor(requestContext)) : this.apolloExecutor(requestContext);
    const serviceMap: Record<string, GraphQLDataSource> = Object.create(null);
    for (const name in internals.serviceMap) serviceMap[name] = internals.serviceMap[name]!.dataSource;
    if (this.mode === 'differential') {
      // Apollo's executeQueryPlan runs the fetches and makes gateway.execute and gateway.fetch; the replay of ours makes none.
      const differential = () => runDifferential(compiled, serviceMap, requestContext, internals.apiSchema!, this.log);
      return spans ? spans.withinRequest(differential) : differential();
    }
    if (!spans) return executeCompiled(compiled, serviceMap, requestContext);
    return spans.execute(() => executeCompiled(compiled, serviceMap, requestContext, spans));
  }

  /** Plans the operation with the gateway's QueryPlanner and limits, compiles it and keeps it under `key`. */
  private compile(key: string, requestContext: GatewayGraphQLRequestContext, operationContext: CompiledOperation['operationContext']): CompiledOperation {
    const internals = this.internals;
    const operation = operationFromDocument(internals.apiSchema!, requestContext.document, { operationName: requestContext.request.operationName });
    const plan = internals.queryPlanner!.buildQueryPlan(operation, {
      recursiveSelectionsLimitDisabled: internals.recursiveSelectionsLimitDisabled,
      nonLocalSelectionsLimitDisabled: internals.nonLocalSelectionsLimitDisabled,
    });
    const compiled = compileOperation(plan, operationContext, internals.supergraphSchema!, internals.apiSchema!, this.batching);
    if (this.compiled.size >= COMPILED_OPERATIONS_KEPT) this.compiled.delete(this.compiled.keys().next().value!);
    this.compiled.set(key, compiled);
    return compiled;
  }
}
