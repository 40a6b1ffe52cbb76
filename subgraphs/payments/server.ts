import { join } from 'node:path';
import { EntityClient } from '../../lib/EntityClient';
import type { Logger } from '../../lib/logger';
import { createPrismaClient, type PrismaOptions } from '../../lib/prisma';
import type { Subgraph } from '../../lib/subgraph';
import { createAuthenticator, type AuthConfig } from '../../lib/auth/authenticator';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { PrismaClient } from '../../prisma/payments/generated/client';
import { createLoaders } from './loaders';
import { resolvers, type PaymentsContext } from './resolvers';
import { PaymentStore } from './store';
import type { EventTransport } from '../../lib/events/EventTransport';
import { startServiceEvents } from '../../lib/events/serviceEvents';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface PaymentsConfig {
  /** How this service verifies credentials. */
  auth: AuthConfig;
  /** The payments service's own PostgreSQL database. */
  databaseUrl: string;
  /** The users subgraph, asked whether sender and recipient exist. */
  usersUrl: string;
}

export async function createPaymentsSubgraph(
  config: PaymentsConfig,
  logger: Logger,
  prismaOptions: PrismaOptions = {},
  /** Where its outbox is relayed to (payments consumes no events: financial records stay as they are). */
  events?: EventTransport,
): Promise<Subgraph<PaymentsContext>> {
  const db = createPrismaClient(PrismaClient, config.databaseUrl, prismaOptions);
  await db.$connect();
  const store = new PaymentStore(db);
  const serviceEvents = await startServiceEvents(events, logger, { outboxes: [store.outbox()] });
  const authenticator = createAuthenticator(config.auth, logger);
  const users = new EntityClient(config.usersUrl, 'User', 'users', authenticator.signer, logger);
  return {
    name: 'payments',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: async (req) => ({ ...(await baseContext(req, authenticator)), store, users, loaders: createLoaders(store) }),
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: async () => {
      await serviceEvents.stop();
      await db.$disconnect();
    },
  };
}
