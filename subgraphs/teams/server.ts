import { join } from 'node:path';
import type { Logger } from '../../lib/logger';
import type { MongoOptions } from '../../lib/mongo';
import type { Subgraph } from '../../lib/subgraph';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { EntityClient } from '../../lib/EntityClient';
import { createLoaders } from './loaders';
import { resolvers, type TeamsContext } from './resolvers';
import { AccessTokenVerifier, publicKeyFrom } from '../../lib/auth/accessTokens';
import { Authenticator, type AuthConfig } from '../../lib/auth/authenticator';
import { RequestSigner } from '../../lib/auth/RequestSigner';
import type { EventTransport } from '../../lib/events/EventTransport';
import { startServiceEvents } from '../../lib/events/serviceEvents';
import { consumeEvents } from './events';
import { RevocationList } from '../../lib/auth/RevocationList';
import { followRevocations, loadRevocationsVia } from '../../lib/auth/revocationEvents';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { openMongoTeamsData } from './openMongoTeamsData';
import { openPrismaTeamsData } from './openPrismaTeamsData';
import type { PrismaOptions } from '../../lib/prisma';
import type { MoveFollowerOptions } from '../../lib/storeMove/MoveFollower';
import { followMove } from '../../lib/storeMove/followMove';
import type { TeamStore } from './TeamStore';
import type { TeamTokenStore } from './TeamTokenStore';
import type { ProcessedEvents } from '../../lib/events/ProcessedEvents';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import { MovingTeamStore } from './move/MovingTeamStore';
import { MovingTeamTokenStore } from './move/MovingTeamTokenStore';
import { MovingProcessedEvents } from './move/MovingProcessedEvents';
import { openTeamsMoveState } from './move/teamsMovable';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** Which database keeps the teams (TEAMS_STORE). */
export const TEAMS_STORES = ['mongodb', 'postgresql'] as const;
export type TeamsStore = (typeof TEAMS_STORES)[number];

export interface TeamsConfig {
  /** 'mongodb' (the default: `mongoUrl` and `database`) or 'postgresql' (`databaseUrl`). */
  store?: TeamsStore;
  mongoUrl: string;
  /** The MongoDB database this service owns. */
  database: string;
  /** The PostgreSQL database this service owns when `store` is 'postgresql' (TEAMS_DATABASE_URL), migrated beforehand. */
  databaseUrl?: string;
  /** The users subgraph, asked whether a user exists before they become a member. */
  usersUrl: string;
  /** How this service verifies callers (its `teamsUrl` is unused: this service checks team tokens itself). */
  auth: AuthConfig;
  /** Bounds on every database statement and connection (DATABASE_*_TIMEOUT_MS); the defaults when not given. */
  databaseTimeouts?: DatabaseTimeouts;
  /**
   * How this instance follows a store move (MOVE_POLL_INTERVAL_MS, MOVE_SHADOW_READ_SHARE). It
   * follows one whenever both stores are configured (`mongoUrl` and `databaseUrl`): it then
   * opens both, and the move's shared state in the home store (`store`) says which one serves.
   */
  move?: MoveFollowerOptions;
}

export async function createTeamsSubgraph(
  config: TeamsConfig,
  logger: Logger,
  mongoOptions: MongoOptions = {},
  /** Where domain events go and come from; without it they wait in the outbox (tests of one service). */
  events?: EventTransport,
  /** For the PostgreSQL store (query hooks in tests). */
  prismaOptions: PrismaOptions = {},
): Promise<Subgraph<TeamsContext>> {
  const data = await openTeamsData(config, logger, mongoOptions, prismaOptions);
  const { teams: store, tokens, processed } = data;
  const revocations = new RevocationList();
  const serviceEvents = await startServiceEvents(events, logger, {
    metrics: mongoOptions.metrics && { metrics: mongoOptions.metrics, service: 'teams' },
    outboxes: data.outboxes,
    consumers: [
      (transport) => consumeEvents(transport, { teams: store, tokens, processed }, logger),
      (transport) => followRevocations(transport, 'sessions.teams', revocations, logger),
    ],
  });
  // This service keeps the team tokens, so it checks them itself rather than over HTTP.
  const authenticator = new Authenticator(
    new AccessTokenVerifier(publicKeyFrom(config.auth.publicKey), revocations),
    (token) => tokens.authenticate(token),
    new RequestSigner(config.auth.signingSecret),
    config.auth.trustedProxies ? new Set(config.auth.trustedProxies) : undefined,
  );
  const revocationSnapshot = await loadRevocationsVia(config.usersUrl, authenticator.signer, revocations, logger);
  const users = new EntityClient(config.usersUrl, 'User', 'users', authenticator.signer, logger);
  return {
    name: 'teams',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: async (req) => ({ ...(await baseContext(req, authenticator)), store, tokens, users, loaders: createLoaders(store) }),
    ping: () => data.ping(),
    close: async () => {
      revocationSnapshot.stop();
      await serviceEvents.stop();
      await data.close();
    },
  };
}

/** The stores the service runs on, and every outbox to relay. */
interface ServedData {
  teams: TeamStore;
  tokens: TeamTokenStore;
  processed: ProcessedEvents;
  outboxes: OutboxSource[];
  ping(): Promise<void>;
  close(): Promise<void>;
}

async function openTeamsData(config: TeamsConfig, logger: Logger, mongoOptions: MongoOptions, prismaOptions: PrismaOptions): Promise<ServedData> {
  const timeouts = config.databaseTimeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const home = config.store ?? 'mongodb';
  if (config.mongoUrl && config.databaseUrl) return openMovable(config, { ...config, home, databaseUrl: config.databaseUrl }, logger, timeouts, mongoOptions, prismaOptions);
  if (home === 'postgresql' && !config.databaseUrl) throw new Error('the teams store is postgresql, but no TEAMS_DATABASE_URL was given');
  const data = home === 'postgresql' ? openPrismaTeamsData(config.databaseUrl!, timeouts, prismaOptions) : await openMongoTeamsData(config.mongoUrl, config.database, timeouts, mongoOptions);
  return { ...data, outboxes: [data.teams.outbox(), data.tokens.outbox()] };
}

/**
 * Both stores and the move's shared state: the moving stores follow the move's phase (nothing
 * moving: the home store alone). Both stores' outboxes are relayed, so events written by either
 * (the primary before and after a switch) all leave.
 */
async function openMovable(
  config: TeamsConfig,
  stores: { home: TeamsStore; mongoUrl: string; database: string; databaseUrl: string },
  logger: Logger,
  timeouts: DatabaseTimeouts,
  mongoOptions: MongoOptions,
  prismaOptions: PrismaOptions,
): Promise<ServedData> {
  const { follower, sides, close } = await followMove(
    'teams',
    stores.home,
    {
      mongodb: () => openMongoTeamsData(stores.mongoUrl, stores.database, timeouts, mongoOptions),
      postgresql: () => openPrismaTeamsData(stores.databaseUrl, timeouts, prismaOptions),
      state: () => openTeamsMoveState(stores),
    },
    logger,
    config.move,
  );
  return {
    teams: new MovingTeamStore(follower),
    tokens: new MovingTeamTokenStore(follower),
    processed: new MovingProcessedEvents(follower),
    // PostgreSQL's teams and tokens share one outbox table: relayed once.
    outboxes: [sides.mongodb.teams.outbox(), sides.mongodb.tokens.outbox(), sides.postgresql.teams.outbox()],
    ping: () => follower.reader().ping(),
    close,
  };
}
