import { UplinkSupergraphManager, type ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { errorLogging, maskUnexpectedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { SubgraphDataSource } from './SubgraphDataSource';
import { SupergraphFileWatcher } from './SupergraphFileWatcher';
import type { SubgraphName } from '../schema/subgraphs';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { serveHttp, type RunningServer } from '../lib/httpServer';
import { createAuthenticator } from '../lib/auth/authenticator';
import { ANONYMOUS } from '../lib/auth/identity';
import { buildContext } from './context';
import { explorationPlugins, explorationRoutes, turnOffGatewayTelemetry } from './exploration';
import type { EventTransport } from '../lib/events/EventTransport';
import { startGatewayRevocations } from './revocations';
import { followCostDirectives } from './guards/costDirectives';
import { operationGuards } from './guards/operationGuards';
import { admitAnonymousEarly, earlyAdmission } from './guards/admitAnonymousEarly';
import { rateLimitHeadersPlugin } from './guards/rateLimitHeaders';
import { RequestRateLimiter } from './guards/RequestRateLimiter';
import { Safelist } from './guards/Safelist';
import { safelistPlugin } from './guards/safelistPlugin';
import { tooManyTokens } from './guards/tooManyTokens';
import { withoutSuggestions } from './guards/withoutSuggestions';
import { SubgraphClient } from './client/SubgraphClient';
import { Observability } from './observability';
import { FastGateway } from './executor/FastGateway';
import { traceRequests } from '../lib/tracing/traceRequests';

/**
 * Errors a subgraph reported pass through when expected (they carry a code and were already
 * masked there), without the name of the service they came from: clients cannot tell where data
 * lives. Anything else is masked (and logged by `errorLogging`). In production no message
 * suggests names of the schema.
 */
function formatGatewayError(production: boolean) {
  const mask = maskUnexpectedError();
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const { serviceName: _serviceName, ...extensions } = formatted.extensions ?? {};
    const masked = mask(tooManyTokens({ ...formatted, extensions }));
    return production ? withoutSuggestions(masked) : masked;
  };
}

/**
 * Where the gateway's supergraph comes from: Apollo Uplink (managed federation) when Apollo GraphOS
 * is configured (key and graph ref) and managed federation is not turned off, otherwise the file.
 */
export function supergraphSource(config: Pick<GatewayConfig, 'apollo'>): 'file' | 'managed' {
  return config.apollo?.managed ? 'managed' : 'file';
}

/**
 * The gateway itself: where the supergraph comes from and how each subgraph is called. Either
 * way a new supergraph is taken while serving, through the gateway's `SupergraphManager` hook.
 * Each subgraph is called at its `subgraphUrls` override when it has one, otherwise at the
 * routing URL of the supergraph being served (see `GatewayConfig.subgraphUrls`). Query plans run on
 * the executor `config.executor` names (gateway/executor/FastGateway.ts).
 */
export function createGateway(config: GatewayConfig, logger: Logger, client: SubgraphClient, observability?: Observability): ApolloGateway {
  const buildService = ({ name, url }: { name: string; url?: string }) => {
    const at = config.subgraphUrls[name as SubgraphName] ?? url!;
    observability?.trackSubgraph(name, at);
    return new SubgraphDataSource(name, at, client.send, logger);
  };
  // With metrics, the plan cache is one that counts its hits (the same size as the gateway's own).
  const queryPlannerConfig = observability ? { queryPlannerConfig: { cache: observability.planCache() } } : {};
  const planLookup = (hit: boolean) => observability?.planLookup(hit);
  if (supergraphSource(config) === 'managed') {
    const { key, graphRef } = config.apollo!;
    logger.info(`supergraph: managed federation, fetched from Apollo Uplink for ${graphRef}`);
    return new FastGateway(
      { supergraphSdl: new UplinkSupergraphManager({ apiKey: key, graphRef, logger }), buildService, ...queryPlannerConfig, logger },
      config.executor,
      logger,
      planLookup,
      config.fetchBatching,
    );
  }
  logger.info(`supergraph: the file ${config.supergraphFile}, watched for new versions`);
  return new FastGateway(
    {
      supergraphSdl: new SupergraphFileWatcher(config.supergraphFile, logger),
      // Full validation also with NODE_ENV=production (where the gateway skips it by default): the
      // file is now an input that changes while serving.
      validateSupergraph: true,
      buildService,
      ...queryPlannerConfig,
      logger,
    },
    config.executor,
    logger,
    planLookup,
    config.fetchBatching,
  );
}

/**
 * Builds the gateway and serves it over HTTP with the explorer routes (main.ts and tests alike).
 * `events`: a transport the caller owns, instead of the one `config.events` names.
 */
export async function startGateway(config: GatewayConfig, logger: Logger, events?: EventTransport): Promise<RunningServer> {
  const revocations = await startGatewayRevocations(config, logger, events);
  let rateLimiter: RequestRateLimiter;
  try {
    rateLimiter = await RequestRateLimiter.start(config.guards.rateLimits, logger);
  } catch (error) {
    await revocations.stop();
    throw error;
  }
  const authenticator = createAuthenticator(config.auth, logger, revocations.list);
  const observability = new Observability(config, logger);
  const client = new SubgraphClient(config.subgraphClient, authenticator.signer, logger, observability.clientObservers());
  const admit = observability.countedAdmit(rateLimiter);
  const release = async () => {
    await observability.stop();
    await client.close();
    await rateLimiter.close();
    await revocations.stop();
  };
  try {
    const running = await serveHttp({
      server: buildGatewayServer(config, logger, client, observability),
      context: observability.measureContext(async (req, res) => {
        const address = req.socket.remoteAddress ?? 'unknown';
        let context: GatewayContext;
        try {
          context = await buildContext(req, authenticator, { res, deadlineMs: config.requestDeadlineMs });
        } catch (error) {
          // A credential that is not valid counts against the address, as a caller without one:
          // guessing team tokens is limited too (429 once over, else the 401).
          if ((error as GraphQLError).extensions?.code === 'UNAUTHENTICATED') await admit(ANONYMOUS, address);
          throw error;
        }
        // Counted once the caller is known, before the operation is parsed (a caller without a
        // credential already was, before its body was read).
        const early = earlyAdmission(req);
        return { ...context, rateLimit: early !== undefined ? early : await admit(context.identity, address) };
      }),
      port: config.port,
      host: config.host,
      routes: (app) => {
        explorationRoutes(config)(app);
        observability.routes()(app);
      },
      beforeBody: [admitAnonymousEarly(admit, (req, error) => observability.refusedEarly(req, error))],
      // Each request's span (continuing the client's traceparent); Apollo Gateway's own spans nest in it.
      beforeGraphQL: [traceRequests('gateway')],
      metrics: observability.metrics,
      shutdownDelayMs: config.shutdownDelayMs,
      logger,
    });
    return {
      url: running.url,
      stop: async () => {
        await running.stop();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** `observability`: metrics of its requests, subgraphs and plan cache (startGateway's; tests may leave it out). */
export function buildGatewayServer(config: GatewayConfig, logger: Logger, client: SubgraphClient, observability?: Observability): ApolloServer<GatewayContext> {
  // Before the ApolloGateway is made: its constructor is where the telemetry would start.
  turnOffGatewayTelemetry();
  const { limits, persistedOperations } = config.guards;
  const safelist = persistedOperations.safelistFile ? Safelist.fromFile(persistedOperations.safelistFile) : null;
  if (safelist) logger.info(`safelist mode: only the ${safelist.size} operations in ${persistedOperations.safelistFile} run`);
  if (safelist) observability?.onlyOperations(safelist.operationNames());
  const gateway = createGateway(config, logger, client, observability);
  observability?.followSupergraph(gateway);
  const costDirectives = followCostDirectives(gateway, logger);
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(config.production),
    plugins: [
      ...(observability ? [observability.plugin()] : []),
      errorLogging<GatewayContext>(logger),
      operationGuards(config.guards, costDirectives),
      rateLimitHeadersPlugin<GatewayContext>(),
      ...(safelist ? [safelistPlugin(safelist)] : []),
      ...explorationPlugins(config),
    ],
    // The parser stops at the token limit, before a tree of an oversized document is built.
    parseOptions: { maxTokens: limits.maxTokens, maxComments: limits.maxTokens },
    persistedQueries: persistedOperations.apq ? {} : false,
    // Off in production unless INTROSPECTION=true: Sandbox, Studio and GraphiQL need it.
    introspection: config.introspection,
    // From the parsed config rather than Apollo Server reading APOLLO_KEY itself.
    ...(config.apollo ? { apollo: { key: config.apollo.key, graphRef: config.apollo.graphRef } } : {}),
    includeStacktraceInErrorResponses: false,
    // Signals belong to runMain, which drains HTTP first and stops the server last.
    stopOnTerminationSignals: false,
    logger,
  });
}
