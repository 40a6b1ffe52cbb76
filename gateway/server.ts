import { ApolloGateway, UplinkSupergraphManager } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { errorLogging, maskUnexpectedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { SubgraphDataSource } from './SubgraphDataSource';
import { SupergraphFileWatcher } from './SupergraphFileWatcher';
import type { SubgraphName } from '../schema/subgraphs';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { serveHttp, type RunningServer } from '../lib/httpServer';
import { createAuthenticator } from '../lib/auth/authenticator';
import { buildContext } from './context';
import { explorationPlugins, explorationRoutes, turnOffGatewayTelemetry } from './exploration';
import { SubgraphClient } from './client/SubgraphClient';

/**
 * Errors a subgraph reported pass through when expected (they carry a code and were already
 * masked there), without the name of the service they came from: clients cannot tell where data
 * lives. Anything else is masked (and logged by `errorLogging`).
 */
function formatGatewayError() {
  const mask = maskUnexpectedError();
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const { serviceName: _serviceName, ...extensions } = formatted.extensions ?? {};
    return mask({ ...formatted, extensions });
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

/** Builds the gateway and serves it over HTTP with the explorer routes (main.ts and tests alike). */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningServer> {
  const authenticator = createAuthenticator(config.auth, logger);
  const client = new SubgraphClient(config.subgraphClient, authenticator.signer, logger);
  let running: RunningServer;
  try {
    running = await serveHttp({
      server: buildGatewayServer(config, logger, client),
      context: (req, res) => buildContext(req, authenticator, { res, deadlineMs: config.requestDeadlineMs }),
      port: config.port,
      host: config.host,
      routes: explorationRoutes(config),
      shutdownDelayMs: config.shutdownDelayMs,
      logger,
    });
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    url: running.url,
    stop: async () => {
      await running.stop();
      await client.close();
    },
  };
}

export function buildGatewayServer(config: GatewayConfig, logger: Logger, client: SubgraphClient): ApolloServer<GatewayContext> {
  // Before the ApolloGateway is made: its constructor is where the telemetry would start.
  turnOffGatewayTelemetry();
  return new ApolloServer<GatewayContext>({
    gateway: createGateway(config, logger, client),
    formatError: formatGatewayError(),
    plugins: [errorLogging<GatewayContext>(logger), ...explorationPlugins(config)],
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
