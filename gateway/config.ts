import { bool, cleanEnv, makeValidator, commonSpec, jwtPublicKeySpec, num, signingSecretSpec, str, throwingReporter, url } from '../lib/env';
import { SERVER_KEEP_ALIVE_MS } from '../lib/httpServer';
import type { SubgraphClientOptions } from './client/SubgraphClient';
import type { LogLevel } from '../lib/logger';
import type { AuthConfig } from '../lib/auth/authenticator';
import type { EventsConfig } from '../lib/events/connectTransport';
import { defaultUrl, SUPERGRAPH_FILE, type SubgraphName } from '../schema/subgraphs';
import { guardsConfigFromEnv, type GuardsConfig } from './guards/guardsConfig';
import type { ExecutorMode } from './executor/FastGateway';
import { FETCH_BATCHING_MODES, type FetchBatching } from './executor/compileBatches';

/** Everything the gateway process is configured with, parsed once at start. */
export interface GatewayConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** The composed supergraph to serve (and watch for changes). */
  supergraphFile: string;
  /**
   * Optional per subgraph. A subgraph given here is always called at this URL, whatever routing
   * URL the supergraph records, in every supergraph the gateway takes (the deployment pins where
   * it lives: a stable service address with rolling deploys behind it, or `npm start`'s ports).
   * A subgraph not given here is called at the routing URL of the supergraph being served, so a
   * new supergraph can also move it (start the new instance, publish a supergraph routing to it,
   * stop the old one once requests in flight have drained).
   */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** How the gateway verifies credentials before planning (the public key; where team tokens are checked; the signing secret). */
  auth: AuthConfig;
  /**
   * Where the domain events travel (AMQP_URL or EVENTS_DATABASE_URL, as for the subgraphs): with one,
   * the gateway refuses ended sessions at the edge (user.access-changed); with neither, it keeps no
   * list and the subgraphs refuse them.
   */
  events: EventsConfig;
  /**
   * How long one client request may take as a whole (REQUEST_DEADLINE_MS): no subgraph fetch of
   * it starts or runs past that, and each subgraph is told the time left (x-request-deadline).
   */
  requestDeadlineMs: number;
  /** The gateway's client to the subgraphs: fetch timeout, pool, circuit breaker (see gateway/client). */
  subgraphClient: SubgraphClientOptions;
  /** On SIGTERM, how long /ready answers 503 before the port closes (a load balancer's probe interval). */
  shutdownDelayMs: number;
  /** NODE_ENV=production: introspection and the landing page default to off. */
  production: boolean;
  /** Whether clients may introspect the schema (Sandbox, Studio and GraphiQL need it). */
  introspection: boolean;
  /** Whether the landing page (Apollo Sandbox) and the offline explorer are served. */
  explorer: boolean;
  /**
   * Apollo GraphOS (APOLLO_KEY + APOLLO_GRAPH_REF): usage reporting to Apollo Studio, and the
   * supergraph from Apollo Uplink (managed federation) unless `managed` is false.
   */
  apollo: { key: string; graphRef: string; managed: boolean } | null;
  /** Operation limits, cost budgets, rate limits and persisted operations (gateway/guards/guardsConfig.ts). */
  guards: GuardsConfig;
  /** Metrics and the status page (gateway/observability.ts; README, "Operations → Metrics"). */
  observability: {
    /** STATUS_PAGE: serve /status and /status.json (default: on outside production). */
    statusPage: boolean;
    /** READINESS_POLL_MS: how often each subgraph's /ready is asked (schemaflow_subgraph_ready). */
    readinessPollMs: number;
    /** METRICS_OPERATION_NAMES: distinct operation names used as labels besides the safelist's; the rest are `other`. */
    operationNames: number;
  };
  /**
   * GATEWAY_EXECUTOR: which executor runs query plans: `fast` (ours, gateway/executor), `apollo`
   * (@apollo/gateway's own, the reference) or `differential` (both on every request, compared;
   * for tests: twice the work). README "Gateway executor".
   */
  executor: ExecutorMode;
  /**
   * GATEWAY_FETCH_BATCHING: how the fast executor puts fetches to one subgraph into one request:
   * `levels` (those at the same depth of the plan), `ready` (those that would start at the same
   * moment) or `off`. README "Gateway executor".
   */
  fetchBatching: FetchBatching;
  /**
   * HEAP_GROWTH_PERCENT: how far past what is live V8 lets the heap grow before it collects in
   * full (0: V8's own choice, up to 4 times what is live). lib/heapGrowth.ts.
   */
  heapGrowthPercent: number;
}

/** A whole number within `accepts`, refused with `must be a whole number <what>`. */
const wholeNumber = (accepts: (value: number) => boolean, what: string) =>
  makeValidator<number>((value) => {
    if (!/^\d+$/.test(value) || !accepts(Number(value))) throw new Error(`must be a whole number ${what}`);
    return Number(value);
  });

/** A whole number above zero (a duration in ms, a count). */
const positive = wholeNumber((value) => value > 0, 'above 0');
const percentUpTo300 = wholeNumber((value) => value <= 300, 'from 0 to 300');

const subgraphUrl = (name: SubgraphName) =>
  url({ default: undefined, desc: `Where the ${name} subgraph listens (default: the routing URL in the supergraph)` });

export function gatewayConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = cleanEnv(
    environment,
    {
      ...commonSpec(4000),
      NODE_ENV: str({ default: 'development' }),
      SUPERGRAPH_FILE: str({ default: SUPERGRAPH_FILE, desc: 'The composed supergraph to serve' }),
      USERS_SUBGRAPH_URL: subgraphUrl('users'),
      TEAMS_SUBGRAPH_URL: subgraphUrl('teams'),
      PROJECTS_SUBGRAPH_URL: subgraphUrl('projects'),
      PAYMENTS_SUBGRAPH_URL: subgraphUrl('payments'),
      PROFILES_SUBGRAPH_URL: subgraphUrl('profiles'),
      JWT_PUBLIC_KEY: jwtPublicKeySpec(),
      AMQP_URL: str({ default: undefined, desc: 'RabbitMQ URL (amqp://...): ended sessions are refused at the edge' }),
      EVENTS_DATABASE_URL: url({ default: undefined, desc: 'PostgreSQL event database, where there is no broker: ended sessions are refused at the edge' }),
      INTERNAL_SIGNING_SECRET: signingSecretSpec(),
      REQUEST_DEADLINE_MS: positive({ default: 30_000, desc: 'Most one client request may take as a whole, ms' }),
      SUBGRAPH_TIMEOUT_MS: positive({ default: 10_000, desc: 'Most one fetch to a subgraph may take, ms' }),
      SUBGRAPH_CONNECTIONS: positive({ default: 32, desc: 'Most connections the gateway opens to one subgraph origin' }),
      SUBGRAPH_KEEP_ALIVE_MS: positive({ default: 4_000, desc: `How long an idle connection to a subgraph is kept, ms (below the subgraphs' ${SERVER_KEEP_ALIVE_MS} ms)` }),
      SUBGRAPH_BREAKER_ERROR_PERCENT: num({ default: 50, desc: 'Failed fetches to a subgraph within the window, in percent, above which its breaker opens' }),
      SUBGRAPH_BREAKER_VOLUME: positive({ default: 10, desc: 'Fewest fetches to a subgraph within the window before its breaker may open' }),
      SUBGRAPH_BREAKER_WINDOW_MS: positive({ default: 10_000, desc: 'The rolling window failures are counted over, ms' }),
      SUBGRAPH_BREAKER_RESET_MS: positive({ default: 5_000, desc: 'How long an open breaker answers at once before it probes the subgraph, ms' }),
      INTROSPECTION: bool({ default: undefined, desc: 'Allow introspection (default: on outside production)' }),
      EXPLORER: bool({ default: undefined, desc: 'Serve the landing page and offline explorer (default: on outside production)' }),
      APOLLO_KEY: str({ default: undefined, desc: 'Apollo GraphOS key: turns on usage reporting (needs APOLLO_GRAPH_REF)' }),
      APOLLO_GRAPH_REF: str({ default: undefined, desc: 'graph-id@variant the key reports to and the supergraph comes from' }),
      STATUS_PAGE: bool({ default: undefined, desc: 'Serve the status page at /status (default: on outside production)' }),
      READINESS_POLL_MS: positive({ default: 5_000, desc: "How often the gateway asks each subgraph's /ready, ms" }),
      METRICS_OPERATION_NAMES: num({ default: 100, desc: 'Distinct operation names the metrics label by (the first seen); others are "other"' }),
      GATEWAY_EXECUTOR: str({ choices: ['fast', 'apollo', 'differential'] as const, default: 'fast', desc: "Which executor runs query plans: fast (the gateway's own), apollo (@apollo/gateway's), differential (both, compared; for tests)" }),
      GATEWAY_FETCH_BATCHING: str({ choices: FETCH_BATCHING_MODES, default: 'levels', desc: 'How entity fetches to one subgraph go as one request: levels (same depth of the plan), ready (same moment), off' }),
      HEAP_GROWTH_PERCENT: percentUpTo300({ default: 50, desc: "How far past what is live the heap may grow before a full collection, in percent (0: V8's own choice)" }),
      APOLLO_MANAGED_FEDERATION: bool({ default: true, desc: 'With APOLLO_KEY: take the supergraph from Apollo Uplink (false: keep serving SUPERGRAPH_FILE)' }),
    },
    { reporter: throwingReporter },
  );
  if (env.APOLLO_KEY && !env.APOLLO_GRAPH_REF) {
    // Studio files everything under a graph variant; Apollo's reporting refuses to start without one.
    throw new Error('APOLLO_KEY is set but APOLLO_GRAPH_REF is not: Apollo Studio needs both (APOLLO_GRAPH_REF=graph-id@variant)');
  }
  if (env.SUBGRAPH_KEEP_ALIVE_MS >= SERVER_KEEP_ALIVE_MS) {
    // The subgraph would close idle sockets first, and the gateway could send on one being closed.
    throw new Error(`SUBGRAPH_KEEP_ALIVE_MS must be below the subgraphs' keep-alive timeout (${SERVER_KEEP_ALIVE_MS} ms)`);
  }
  if (env.SUBGRAPH_BREAKER_ERROR_PERCENT <= 0 || env.SUBGRAPH_BREAKER_ERROR_PERCENT > 100) {
    throw new Error('SUBGRAPH_BREAKER_ERROR_PERCENT must be above 0 and at most 100');
  }
  const production = env.NODE_ENV === 'production';
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS,
    events: Object.freeze({ amqpUrl: env.AMQP_URL, databaseUrl: env.EVENTS_DATABASE_URL }),
    auth: { publicKey: env.JWT_PUBLIC_KEY, teamsUrl: env.TEAMS_SUBGRAPH_URL ?? defaultUrl('teams'), signingSecret: env.INTERNAL_SIGNING_SECRET },
    requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    subgraphClient: Object.freeze({
      timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      connections: env.SUBGRAPH_CONNECTIONS,
      keepAliveMs: env.SUBGRAPH_KEEP_ALIVE_MS,
      breaker: Object.freeze({
        errorThresholdPercentage: env.SUBGRAPH_BREAKER_ERROR_PERCENT,
        volumeThreshold: env.SUBGRAPH_BREAKER_VOLUME,
        windowMs: env.SUBGRAPH_BREAKER_WINDOW_MS,
        resetMs: env.SUBGRAPH_BREAKER_RESET_MS,
      }),
    }),
    supergraphFile: env.SUPERGRAPH_FILE,
    subgraphUrls: Object.freeze({
      users: env.USERS_SUBGRAPH_URL,
      teams: env.TEAMS_SUBGRAPH_URL,
      projects: env.PROJECTS_SUBGRAPH_URL,
      payments: env.PAYMENTS_SUBGRAPH_URL,
      profiles: env.PROFILES_SUBGRAPH_URL,
    }),
    production,
    introspection: env.INTROSPECTION ?? !production,
    explorer: env.EXPLORER ?? !production,
    apollo: env.APOLLO_KEY && env.APOLLO_GRAPH_REF ? { key: env.APOLLO_KEY, graphRef: env.APOLLO_GRAPH_REF, managed: env.APOLLO_MANAGED_FEDERATION } : null,
    guards: guardsConfigFromEnv(environment),
    observability: Object.freeze({
      statusPage: env.STATUS_PAGE ?? !production,
      readinessPollMs: env.READINESS_POLL_MS,
      operationNames: Math.max(0, Math.floor(env.METRICS_OPERATION_NAMES)),
    }),
    executor: env.GATEWAY_EXECUTOR,
    fetchBatching: env.GATEWAY_FETCH_BATCHING,
    heapGrowthPercent: env.HEAP_GROWTH_PERCENT,
  });
}
