import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { errorLogging, maskUnexpectedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { SubgraphDataSource } from './SubgraphDataSource';
import type { SubgraphName } from '../schema/subgraphs';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';

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
 * The gateway itself: where the supergraph comes from and how each subgraph is called.
 */
export function createGateway(config: GatewayConfig, logger: Logger): ApolloGateway {
  return new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphFile, 'utf8'),
    buildService: ({ name, url }) =>
      new SubgraphDataSource(name, config.subgraphUrls[name as SubgraphName] ?? url!, logger),
    logger,
  });
}

export function buildGatewayServer(config: GatewayConfig, logger: Logger): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    gateway: createGateway(config, logger),
    formatError: formatGatewayError(),
    plugins: [errorLogging<GatewayContext>(logger)],
    includeStacktraceInErrorResponses: false,
    logger,
  });
}
