import { join } from 'node:path';
import { EntityClient } from '../../lib/EntityClient';
import type { Logger } from '../../lib/logger';
import { createPrismaClient, type PrismaOptions } from '../../lib/prisma';
import type { Subgraph } from '../../lib/subgraph';
import { createAuthenticator, type AuthConfig } from '../../lib/auth/authenticator';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { PrismaClient } from '../../prisma/projects/generated/client';
import { createLoaders } from './loaders';
import { resolvers, type ProjectsContext } from './resolvers';
import type { ProjectStore } from './ProjectStore';
import { PrismaProjectStore } from './PrismaProjectStore';
import { TeamMembership } from './TeamMembership';
import type { EventTransport } from '../../lib/events/EventTransport';
import { startServiceEvents } from '../../lib/events/serviceEvents';
import { consumeEvents } from './events';
import { RevocationList } from '../../lib/auth/RevocationList';
import { followRevocations, loadRevocationsVia } from '../../lib/auth/revocationEvents';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../../lib/databaseTimeouts';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface ProjectsConfig {
  /** How this service verifies credentials. */
  auth: AuthConfig;
  /** The projects service's own PostgreSQL database. */
  databaseUrl: string;
  /** The users subgraph, asked whether owners and authors exist. */
  usersUrl: string;
  /** The teams subgraph, asked which teams the caller is in (and whether a project's team exists). */
  teamsUrl: string;
  /** Bounds on every database statement and connection (DATABASE_*_TIMEOUT_MS); the defaults when not given. */
  databaseTimeouts?: DatabaseTimeouts;
}

export async function createProjectsSubgraph(
  config: ProjectsConfig,
  logger: Logger,
  prismaOptions: PrismaOptions = {},
  /** Where domain events go and come from; without it they wait in the outbox (tests of one service). */
  events?: EventTransport,
): Promise<Subgraph<ProjectsContext>> {
  const db = createPrismaClient(PrismaClient, config.databaseUrl, { ...prismaOptions, timeouts: config.databaseTimeouts ?? DEFAULT_DATABASE_TIMEOUTS });
  await db.$connect();
  const store: ProjectStore = new PrismaProjectStore(db);
  const revocations = new RevocationList();
  const serviceEvents = await startServiceEvents(events, logger, {
    metrics: prismaOptions.metrics && { metrics: prismaOptions.metrics, service: 'projects' },
    outboxes: [store.outbox()],
    consumers: [
      (transport) => consumeEvents(transport, store, logger),
      (transport) => followRevocations(transport, 'sessions.projects', revocations, logger),
    ],
  });
  const authenticator = createAuthenticator(config.auth, logger, revocations);
  const revocationSnapshot = await loadRevocationsVia(config.usersUrl, authenticator.signer, revocations, logger);
  const users = new EntityClient(config.usersUrl, 'User', 'users', authenticator.signer, logger);
  const teams = new EntityClient(config.teamsUrl, 'Team', 'teams', authenticator.signer, logger);
  const usersInTeams = new EntityClient(config.teamsUrl, 'User', 'teams', authenticator.signer, logger);
  return {
    name: 'projects',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: async (req) => {
      const base = await baseContext(req, authenticator);
      const membership = new TeamMembership(base.identity, base.authorization, usersInTeams, teams);
      return { ...base, store, users, teams, membership, loaders: createLoaders(store, base.identity, membership) };
    },
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: async () => {
      revocationSnapshot.stop();
      await serviceEvents.stop();
      await db.$disconnect();
    },
  };
}
