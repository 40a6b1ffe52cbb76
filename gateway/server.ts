import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { isExpectedCode, maskUnexpectedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { SubgraphDataSource } from './SubgraphDataSource';
import type { GatewayContext } from './context';

export interface GatewayConfig {
  /** The composed supergraph (schema/supergraph.graphql). */
  supergraphSdl: string;
  /** Where each subgraph really listens, by subgraph name; overrides the URL in the supergraph. */
  subgraphUrls: Partial<Record<string, string>>;
}

/**
 * Errors a subgraph reported pass through when expected (they carry a code and were already
 * masked there); a subgraph's unexpected error stays masked but says which service failed.
 * Anything else is masked and logged.
 */
function formatGatewayError(logger: Logger) {
  const mask = maskUnexpectedError(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const service = formatted.extensions?.serviceName;
    if (typeof service === 'string' && !isExpectedCode(formatted.extensions?.code)) {
      logger.error(`subgraph ${service} failed`, error);
      return {
        message: 'Internal server error',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL_SERVER_ERROR', service },
      };
    }
    return mask(formatted, error);
  };
}

export function buildGatewayServer(config: GatewayConfig, logger: Logger): ApolloServer<GatewayContext> {
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    buildService: ({ name, url }) => new SubgraphDataSource(name, config.subgraphUrls[name] ?? url!, logger),
    logger,
  });
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(logger),
    includeStacktraceInErrorResponses: false,
    logger,
  });
}
