import { join } from 'node:path';
import { connectMongo, initStore, type MongoOptions } from '../../lib/mongo';
import type { Logger } from '../../lib/logger';
import type { Subgraph } from '../../lib/subgraph';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { createLoaders } from './loaders';
import { resolvers, type UsersContext } from './resolvers';
import { UserStore } from './store';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface UsersConfig {
  mongoUrl: string;
  /** The MongoDB database this service owns. */
  database: string;
}

export async function createUsersSubgraph(
  config: UsersConfig,
  logger: Logger,
  mongoOptions: MongoOptions = {},
): Promise<Subgraph<UsersContext>> {
  const connection = await connectMongo(config.mongoUrl, config.database, mongoOptions);
  const store = await initStore(connection, new UserStore(connection));
  return {
    name: 'users',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: (req) => ({ ...baseContext(req), store, loaders: createLoaders(store) }),
    ping: async () => void (await connection.db!.admin().ping()),
    close: () => connection.close(),
  };
}
