import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { isExpectedCode, maskUnexpectedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { AuthForwardingDataSource } from './AuthForwardingDataSource';
import type { GatewayContext } from './context';

export interface GatewayConfig {
  /** The composed supergraph (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Where each subgraph really listens, by subgraph name; overrides the URL in the supergraph. */
  subgraphUrls: Partial<Record<string, string>>;
}

/**
 * When a subgraph cannot be reached the gateway still answers with the data it has; the failed
 * part gets one error that names the service, not the internal address or socket error.
 */
function formatGatewayError(logger: Logger) {
  const mask = maskUnexpectedError(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const serviceName = formatted.extensions?.serviceName;
    if (typeof serviceName === 'string' && !isExpectedCode(formatted.extensions?.code)) {
      logger.error(`subgraph ${serviceName} failed`, error);
      return {
        message: `the ${serviceName} service could not answer this part of the request`,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'SERVICE_UNAVAILABLE', service: serviceName },
      };
    }
    return mask(formatted, error);
  };
}

export function buildGatewayServer(config: GatewayConfig, logger: Logger): ApolloServer<GatewayContext> {
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    buildService: ({ name, url }) => new AuthForwardingDataSource({ url: config.subgraphUrls[name] ?? url }),
    logger,
  });
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    logger,
  });
}
