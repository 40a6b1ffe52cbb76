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
import type { PaymentStore } from './PaymentStore';
import { PrismaPaymentStore } from './PrismaPaymentStore';
import type { EventTransport } from '../../lib/events/EventTransport';
import { startServiceEvents } from '../../lib/events/serviceEvents';
import { RevocationList } from '../../lib/auth/RevocationList';
import { followRevocations, loadRevocationsVia } from '../../lib/auth/revocationEvents';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../../lib/databaseTimeouts';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface PaymentsConfig {
  /** How this service verifies credentials. */
  auth: AuthConfig;
  /** The payments service's own PostgreSQL database. */
  databaseUrl: string;
  /** The users subgraph, asked whether sender and recipient exist. */
  usersUrl: string;
  /** Bounds on every database statement and connection (DATABASE_*_TIMEOUT_MS); the defaults when not given. */
  databaseTimeouts?: DatabaseTimeouts;
}

export async function createPaymentsSubgraph(
  config: PaymentsConfig,
  logger: Logger,
  prismaOptions: PrismaOptions = {},
  /** Where its outbox is relayed to (payments consumes no events about its data: financial records stay as they are; only ended sessions). */
  events?: EventTransport,
): Promise<Subgraph<PaymentsContext>> {
  const db = createPrismaClient(PrismaClient, config.databaseUrl, { ...prismaOptions, timeouts: config.databaseTimeouts ?? DEFAULT_DATABASE_TIMEOUTS });
  await db.$connect();
  const store: PaymentStore = new PrismaPaymentStore(db);
  const revocations = new RevocationList();
  const serviceEvents = await startServiceEvents(events, logger, {
    metrics: prismaOptions.metrics && { metrics: prismaOptions.metrics, service: 'payments' },
    outboxes: [store.outbox()],
    consumers: [(transport) => followRevocations(transport, 'sessions.payments', revocations, logger)],
  });
  const authenticator = createAuthenticator(config.auth, logger, revocations);
  const revocationSnapshot = await loadRevocationsVia(config.usersUrl, authenticator.signer, revocations, logger);
  const users = new EntityClient(config.usersUrl, 'User', 'users', authenticator.signer, logger);
  return {
    name: 'payments',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: async (req) => ({ ...(await baseContext(req, authenticator)), store, users, loaders: createLoaders(store) }),
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: async () => {
      revocationSnapshot.stop();
      await serviceEvents.stop();
      await db.$disconnect();
    },
  };
}
