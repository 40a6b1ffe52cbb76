import { ApolloGateway, UplinkSupergraphManager } from '@apollo/gateway';
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
import { rateLimitHeadersPlugin } from './guards/rateLimitHeaders';
import { RequestRateLimiter } from './guards/RequestRateLimiter';
import { Safelist } from './guards/Safelist';
import { safelistPlugin } from './guards/safelistPlugin';
import { tooManyTokens } from './guards/tooManyTokens';
import { withoutSuggestions } from './guards/withoutSuggestions';
import { SubgraphClient } from './client/SubgraphClient';
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
 * routing URL of the supergraph being served (see `GatewayConfig.subgraphUrls`).
 */
export function createGateway(config: GatewayConfig, logger: Logger, client: SubgraphClient): ApolloGateway {
  const buildService = ({ name, url }: { name: string; url?: string }) =>
    new SubgraphDataSource(name, config.subgraphUrls[name as SubgraphName] ?? url!, client.send, logger);
  if (supergraphSource(config) === 'managed') {
    const { key, graphRef } = config.apollo!;
    logger.info(`supergraph: managed federation, fetched from Apollo Uplink for ${graphRef}`);
    return new ApolloGateway({
      supergraphSdl: new UplinkSupergraphManager({ apiKey: key, graphRef, logger }),
      buildService,
      logger,
    });
  }
  logger.info(`supergraph: the file ${config.supergraphFile}, watched for new versions`);
  return new ApolloGateway({
    supergraphSdl: new SupergraphFileWatcher(config.supergraphFile, logger),
    // Full validation also with NODE_ENV=production (where the gateway skips it by default): the
    // file is now an input that changes while serving.
    validateSupergraph: true,
    buildService,
    logger,
  });
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
  const client = new SubgraphClient(config.subgraphClient, authenticator.signer, logger);
  const release = async () => {
    await client.close();
    await rateLimiter.close();
    await revocations.stop();
  };
  try {
    const running = await serveHttp({
      server: buildGatewayServer(config, logger, client),
      context: async (req, res) => {
        const address = req.socket.remoteAddress ?? 'unknown';
        let context: GatewayContext;
        try {
          context = await buildContext(req, authenticator, { res, deadlineMs: config.requestDeadlineMs });
        } catch (error) {
          // A credential that is not valid counts against the address, as a caller without one:
          // guessing team tokens is limited too (429 once over, else the 401).
          if ((error as GraphQLError).extensions?.code === 'UNAUTHENTICATED') await rateLimiter.admit(ANONYMOUS, address);
          throw error;
        }
        // Counted once the caller is known, before the operation is parsed.
        return { ...context, rateLimit: await rateLimiter.admit(context.identity, address) };
      },
      port: config.port,
      host: config.host,
      routes: explorationRoutes(config),
      // Each request's span (continuing the client's traceparent); Apollo Gateway's own spans nest in it.
      beforeGraphQL: [traceRequests('gateway')],
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

export function buildGatewayServer(config: GatewayConfig, logger: Logger, client: SubgraphClient): ApolloServer<GatewayContext> {
  // Before the ApolloGateway is made: its constructor is where the telemetry would start.
  turnOffGatewayTelemetry();
  const { limits, persistedOperations } = config.guards;
  const safelist = persistedOperations.safelistFile ? Safelist.fromFile(persistedOperations.safelistFile) : null;
  if (safelist) logger.info(`safelist mode: only the ${safelist.size} operations in ${persistedOperations.safelistFile} run`);
  const gateway = createGateway(config, logger, client);
  const costDirectives = followCostDirectives(gateway, logger);
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(config.production),
    plugins: [
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
