import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { errorLogging, maskUnexpectedError } from '../lib/errors';
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

export function buildGatewayServer(config: GatewayConfig, logger: Logger): ApolloServer<GatewayContext> {
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    buildService: ({ name, url }) => new SubgraphDataSource(name, config.subgraphUrls[name] ?? url!, logger),
    logger,
  });
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: formatGatewayError(),
    plugins: [errorLogging<GatewayContext>(logger)],
    includeStacktraceInErrorResponses: false,
    logger,
  });
}
