import type { QueryPlan, QueryPlanCache } from '@apollo/query-planner';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Identity } from '../../lib/auth/identity';
import type { Metrics } from '../../lib/metrics/Metrics';
import type { BreakerState } from '../client/CircuitBreakers';
import type { FailureReason } from '../client/types';
import type { SubgraphClientObservers } from '../client/SubgraphClient';
import type { GatewayContext } from '../context';
import type { RecentActivity } from '../status/RecentActivity';
import { BoundedLabels } from './BoundedLabels';

/** The operation label of a request that never got to a resolved operation (refused before, bad document). */
export const NO_OPERATION = 'none';
/** The operation label of an operation without a name. */
export const ANONYMOUS_OPERATION = 'anonymous';
/** Distinct error codes counted by name; the rest as `other` (subgraphs may send codes of their own). */
const ERROR_CODES_ROOM = 50;
/** Codes that say the fault is on the server's side, even when the HTTP status is 200. */
const SERVER_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

export type Outcome = 'success' | 'partial' | 'client_error' | 'server_error';

/** What alerts.yaml's `reason` says, for each way a fetch fails. */
const FAILURE_LABEL: Record<FailureReason, string> = {
  timeout: 'timeout',
  deadline: 'timeout',
  cancelled: 'cancelled',
  connection: 'connection',
  'server-error': 'status',
  'bad-response': 'status',
  'circuit-open': 'breaker_open',
};

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The size the gateway gives its own plan cache (30 MiB; `approximateObjectSize` as it does). */
const PLAN_CACHE_BYTES = 30 * 2 ** 20;

/**
 * The gateway's metric families (README, "Operations → Metrics"). Operation names are labels only
 * through `operations`: the safelist's names, else the first N names seen; error codes likewise.
 */
export class GatewayMetrics {
  private readonly requests;
  private readonly duration;
  private readonly errors;
  private readonly fetchDuration;
  private readonly fetchFailures;
  private readonly breakerState;
  private readonly breakerTransitions;
  private readonly rateLimit;
  private readonly planCache;
  private readonly errorCodes = new BoundedLabels(new Set(), ERROR_CODES_ROOM);

  constructor(
    metrics: Metrics,
    private readonly operations: BoundedLabels,
    private readonly recent: RecentActivity,
  ) {
    this.requests = metrics.counter({
      name: 'schemaflow_gateway_requests_total',
      help: 'GraphQL requests by operation and outcome (success, partial, client_error, server_error)',
      labelNames: ['operation', 'outcome'],
    });
    this.duration = metrics.histogram({ name: 'schemaflow_gateway_request_duration_seconds', help: 'Time from request to response, seconds', labelNames: ['operation'] });
    this.errors = metrics.counter({ name: 'schemaflow_gateway_errors_total', help: 'Errors in responses, by extensions.code', labelNames: ['code'] });
    this.fetchDuration = metrics.histogram({ name: 'schemaflow_subgraph_fetch_duration_seconds', help: 'One fetch to a subgraph, failed or not, seconds', labelNames: ['subgraph'] });
    this.fetchFailures = metrics.counter({
      name: 'schemaflow_subgraph_fetch_failures_total',
      help: 'Fetches that got no usable answer, by reason: timeout, connection, status, breaker_open, cancelled',
      labelNames: ['subgraph', 'reason'],
    });
    this.breakerState = metrics.gauge({ name: 'schemaflow_circuit_breaker_state', help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open', labelNames: ['subgraph'] });
    this.breakerTransitions = metrics.counter({
      name: 'schemaflow_circuit_breaker_transitions_total',
      help: 'Changes of a circuit breaker to the state named',
      labelNames: ['subgraph', 'state'],
    });
    this.rateLimit = metrics.counter({
      name: 'schemaflow_rate_limit_decisions_total',
      help: 'Rate-limit decisions: allowed or refused, by kind of caller (user, team, anonymous)',
      labelNames: ['decision', 'identity'],
    });
    this.planCache = metrics.counter({ name: 'schemaflow_query_plan_cache_requests_total', help: 'Query-plan cache lookups: hit or miss', labelNames: ['result'] });
    for (const result of ['hit', 'miss']) this.planCache.inc({ result }, 0);
  }

  /** For the SubgraphClient: every fetch and every breaker change. */
  clientObservers(): SubgraphClientObservers {
    return {
      fetch: (subgraph, seconds, failure) => {
        this.fetchDuration.observe({ subgraph }, seconds);
        if (failure) this.fetchFailures.inc({ subgraph, reason: FAILURE_LABEL[failure] });
        this.recent.fetch(subgraph, seconds, failure !== null && failure !== 'cancelled');
      },
      breaker: (subgraph, state) => {
        const known = this.recent.breakerState(subgraph);
        this.breakerState.set({ subgraph }, BREAKER_VALUE[state]);
        if (known !== state) this.breakerTransitions.inc({ subgraph, state });
        this.recent.breaker(subgraph, state);
      },
    };
  }

  /** One rate-limit decision (`refused`: answered 429). */
  rateLimitDecision(identity: Identity, refused: boolean): void {
    this.rateLimit.inc({ decision: refused ? 'refused' : 'allowed', identity: identity.kind });
  }

  /** A request refused before Apollo Server saw it (its context could not be made: 401, 429). */
  refusedBeforeOperation(seconds: number, error: unknown, requestId: string): void {
    this.finish(NO_OPERATION, seconds, 'client_error', [error as GraphQLError], requestId, null);
  }

  /** The Apollo Server plugin that counts each request once its response is ready. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        let operation = NO_OPERATION;
        return {
          didResolveOperation: async ({ operationName }) => {
            operation = operationName ? this.operations.label(operationName) : ANONYMOUS_OPERATION;
          },
          willSendResponse: async (requestContext) => {
            const { errors, outcome } = outcomeOf(requestContext);
            const traceId = (requestContext.contextValue as { traceId?: unknown }).traceId;
            this.finish(operation, (performance.now() - started) / 1000, outcome, errors, requestContext.contextValue.requestId, typeof traceId === 'string' ? traceId : null);
          },
        };
      },
    };
  }

  /** One lookup of the gateway's own executor's compiled operations (its plan cache). */
  planLookup(hit: boolean): void {
    this.planCache.inc({ result: hit ? 'hit' : 'miss' });
  }

  /** The query-plan cache to give ApolloGateway (`queryPlannerConfig.cache`), counting hits and misses. */
  planCacheStore(): QueryPlanCache {
    const cache = new InMemoryLRUCache<QueryPlan>({ maxSize: PLAN_CACHE_BYTES, sizeCalculation: (value) => Buffer.byteLength(JSON.stringify(value), 'utf8') });
    return {
      get: async (key) => {
        const value = await cache.get(key);
        this.planCache.inc({ result: value === undefined ? 'miss' : 'hit' });
        return value;
      },
      set: (key, value, options) => cache.set(key, value, options),
      delete: (key) => cache.delete(key),
      // A new supergraph makes every plan stale: the gateway clears its cache then.
      clear: () => cache.clear(),
    };
  }

  private finish(operation: string, seconds: number, outcome: Outcome, errors: readonly GraphQLError[], requestId: string, traceId: string | null): void {
    this.requests.inc({ operation, outcome });
    this.duration.observe({ operation }, seconds);
    for (const error of errors) {
      const code = error?.extensions?.code;
      this.errors.inc({ code: typeof code === 'string' ? this.errorCodes.label(code) : 'none' });
    }
    this.recent.request(operation, seconds, outcome, requestId, traceId);
  }
}

/** How a response ended: by its HTTP status first, then by its data and errors. */
function outcomeOf(requestContext: GraphQLRequestContext<GatewayContext>): { errors: readonly GraphQLError[]; outcome: Outcome } {
  const { response } = requestContext;
  const status = response.http?.status ?? 200;
  const result = response.body?.kind === 'single' ? response.body.singleResult : response.body?.kind === 'incremental' ? response.body.initialResult : undefined;
  const errors = (requestContext.errors ?? result?.errors ?? []) as readonly GraphQLError[];
  if (status >= 500) return { errors, outcome: 'server_error' };
  if (status >= 400) return { errors, outcome: 'client_error' };
  if (errors.length === 0) return { errors, outcome: 'success' };
  const data = result && 'data' in result ? result.data : undefined;
  if (data !== null && data !== undefined) return { errors, outcome: 'partial' };
  const serverSide = errors.some((error) => SERVER_CODES.has(String(error?.extensions?.code)));
  return { errors, outcome: serverSide ? 'server_error' : 'client_error' };
}
