import { join } from 'node:path';
import type { Logger } from '../../lib/logger';
import { connectMongo, initStore, type MongoOptions } from '../../lib/mongo';
import type { Subgraph } from '../../lib/subgraph';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { EntityClient } from '../../lib/EntityClient';
import { createLoaders } from './loaders';
import { resolvers, type TeamsContext } from './resolvers';
import { TeamStore } from './store';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface TeamsConfig {
  mongoUrl: string;
  /** The MongoDB database this service owns. */
  database: string;
  /** The users subgraph, asked whether a user exists before they become a member. */
  usersUrl: string;
}

export async function createTeamsSubgraph(
  config: TeamsConfig,
  logger: Logger,
  mongoOptions: MongoOptions = {},
): Promise<Subgraph<TeamsContext>> {
  const connection = await connectMongo(config.mongoUrl, config.database, mongoOptions);
  const store = await initStore(connection, new TeamStore(connection));
  const users = new EntityClient(config.usersUrl, 'User', 'users', logger);
  return {
    name: 'teams',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: (req) => ({ ...baseContext(req), store, users, loaders: createLoaders(store) }),
    ping: async () => void (await connection.db!.admin().ping()),
    close: () => connection.close(),
  };
}
