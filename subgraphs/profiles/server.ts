import { join } from 'node:path';
import { EntityClient } from '../../lib/EntityClient';
import type { Logger } from '../../lib/logger';
import { createPrismaClient, type PrismaOptions } from '../../lib/prisma';
import type { Subgraph } from '../../lib/subgraph';
import { createAuthenticator, type AuthConfig } from '../../lib/auth/authenticator';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { PrismaClient } from '../../prisma/profiles/generated/client';
import { createLoaders } from './loaders';
import { resolvers, type ProfilesContext } from './resolvers';
import type { ProfileStore } from './ProfileStore';
import { PrismaProfileStore } from './PrismaProfileStore';
import { consumeEvents } from './events';
import { RevocationList } from '../../lib/auth/RevocationList';
import { followRevocations, loadRevocationsVia } from '../../lib/auth/revocationEvents';
import type { EventTransport } from '../../lib/events/EventTransport';
import { startServiceEvents } from '../../lib/events/serviceEvents';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../../lib/databaseTimeouts';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface ProfilesConfig {
  /** How this service verifies credentials. */
  auth: AuthConfig;
  /** The profiles service's own PostgreSQL database. */
  databaseUrl: string;
  /** The users subgraph, asked whether a user exists before their profile is made. */
  usersUrl: string;
  /** Bounds on every database statement and connection (DATABASE_*_TIMEOUT_MS); the defaults when not given. */
  databaseTimeouts?: DatabaseTimeouts;
}

export async function createProfilesSubgraph(
  config: ProfilesConfig,
  logger: Logger,
  prismaOptions: PrismaOptions = {},
  /** Where domain events go and come from; without it the service consumes none (tests of one service). */
  events?: EventTransport,
): Promise<Subgraph<ProfilesContext>> {
  const db = createPrismaClient(PrismaClient, config.databaseUrl, { ...prismaOptions, timeouts: config.databaseTimeouts ?? DEFAULT_DATABASE_TIMEOUTS });
  await db.$connect();
  const store: ProfileStore = new PrismaProfileStore(db);
  const revocations = new RevocationList();
  const serviceEvents = await startServiceEvents(events, logger, {
    metrics: prismaOptions.metrics && { metrics: prismaOptions.metrics, service: 'profiles' },
    outboxes: [store.outbox()],
    consumers: [
      (transport) => consumeEvents(transport, store, logger),
      (transport) => followRevocations(transport, 'sessions.profiles', revocations, logger),
    ],
  });
  const authenticator = createAuthenticator(config.auth, logger, revocations);
  const revocationSnapshot = await loadRevocationsVia(config.usersUrl, authenticator.signer, revocations, logger);
  const users = new EntityClient(config.usersUrl, 'User', 'users', authenticator.signer, logger);
  return {
    name: 'profiles',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: async (req) => {
      const base = await baseContext(req, authenticator);
      return { ...base, store, users, loaders: createLoaders(store, users, base.authorization) };
    },
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: async () => {
      revocationSnapshot.stop();
      await serviceEvents.stop();
      await db.$disconnect();
    },
  };
}
