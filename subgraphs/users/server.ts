import { join } from 'node:path';
import { AccessTokenIssuer, privateKeyFrom } from '../../lib/auth/accessTokens';
import { createAuthenticator, type AuthConfig } from '../../lib/auth/authenticator';
import type { Logger } from '../../lib/logger';
import type { MongoOptions } from '../../lib/mongo';
import type { Subgraph } from '../../lib/subgraph';
import { baseContext, buildSubgraphServer, loadTypeDefs } from '../../lib/subgraphServer';
import { Bulkhead } from '../../lib/Bulkhead';
import { Accounts } from './Accounts';
import type { AccountsConfig } from './accountsConfig';
import { createLoaders } from './loaders';
import { LoginThrottle } from './LoginThrottle';
import { resolvers, type UsersContext } from './resolvers';
import type { EventTransport } from '../../lib/events/EventTransport';
import { startServiceEvents } from '../../lib/events/serviceEvents';
import { consumeEvents } from './events';
import { RevocationList } from '../../lib/auth/RevocationList';
import { followRevocations } from '../../lib/auth/revocationEvents';
import { DEFAULT_DATABASE_TIMEOUTS, type DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { openMongoUsersData } from './openMongoUsersData';
import { openPrismaUsersData } from './openPrismaUsersData';
import type { PrismaOptions } from '../../lib/prisma';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { MoveFollowerOptions } from '../../lib/storeMove/MoveFollower';
import { followMove } from '../../lib/storeMove/followMove';
import type { AuditLogStore } from './AuditLogStore';
import type { RefreshTokenStore } from './RefreshTokenStore';
import type { UserStore } from './UserStore';
import { MovingAuditLogStore } from './move/MovingAuditLogStore';
import { MovingRefreshTokenStore } from './move/MovingRefreshTokenStore';
import { MovingUserStore } from './move/MovingUserStore';
import { openUsersMoveState } from './move/usersMovable';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** Which database keeps the users, their sessions and the audit log (USERS_STORE). */
export const USERS_STORES = ['mongodb', 'postgresql'] as const;
export type UsersStore = (typeof USERS_STORES)[number];

export interface UsersConfig {
  /** 'mongodb' (the default: `mongoUrl` and `database`) or 'postgresql' (`databaseUrl`). */
  store?: UsersStore;
  mongoUrl: string;
  /** The MongoDB database this service owns. */
  database: string;
  /** The PostgreSQL database this service owns when `store` is 'postgresql' (USERS_DATABASE_URL), migrated beforehand. */
  databaseUrl?: string;
  /** How this service verifies credentials. */
  auth: AuthConfig;
  /** How it issues them. */
  accounts: AccountsConfig;
  /** Bounds on every database statement and connection (DATABASE_*_TIMEOUT_MS); the defaults when not given. */
  databaseTimeouts?: DatabaseTimeouts;
  /**
   * How this instance follows a store move (MOVE_POLL_INTERVAL_MS, MOVE_SHADOW_READ_SHARE). It
   * follows one whenever both stores are configured (`mongoUrl` and `databaseUrl`): it then
   * opens both, and the move's shared state in the home store (`store`) says which one serves.
   */
  move?: MoveFollowerOptions;
}

export async function createUsersSubgraph(
  config: UsersConfig,
  logger: Logger,
  mongoOptions: MongoOptions = {},
  /** Where the outbox is relayed to; without it events wait in the outbox (tests of one service). */
  events?: EventTransport,
  /** For the PostgreSQL store (query hooks in tests). */
  prismaOptions: PrismaOptions = {},
): Promise<Subgraph<UsersContext>> {
  const data = await openUsersData(config, logger, mongoOptions, prismaOptions);
  const { users: store, refreshTokens, auditLog } = data;
  const revocations = new RevocationList();
  const accounts = new Accounts(
    store,
    refreshTokens,
    new AccessTokenIssuer(privateKeyFrom(config.accounts.privateKey), config.accounts.accessTokenTtlSeconds),
    new LoginThrottle(config.accounts.login),
    revocations,
    new Bulkhead({ ...config.accounts.hashing, what: 'sign-ins and sign-ups', retryAfterSeconds: 1 }),
  );
  // This service keeps when sessions ended (on the users themselves): it starts knowing them all.
  for (const revocation of await accounts.recentRevocations()) revocations.revoke(revocation);
  const authenticator = createAuthenticator(config.auth, logger, revocations);
  const serviceEvents = await startServiceEvents(events, logger, {
    metrics: mongoOptions.metrics && { metrics: mongoOptions.metrics, service: 'users' },
    outboxes: data.outboxes,
    consumers: [
      (transport) => consumeEvents(transport, auditLog, logger),
      // Its own changes are in its list at once; the events also bring those of other instances.
      (transport) => followRevocations(transport, 'sessions.users', revocations, logger),
    ],
  });
  return {
    name: 'users',
    server: buildSubgraphServer(typeDefs, resolvers, logger),
    context: async (req) => ({ ...(await baseContext(req, authenticator)), store, auditLog, accounts, loaders: createLoaders(store) }),
    ping: () => data.ping(),
    close: async () => {
      await serviceEvents.stop();
      await data.close();
    },
  };
}

/** The stores the service runs on, and every outbox to relay. */
interface ServedData {
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  auditLog: AuditLogStore;
  outboxes: OutboxSource[];
  ping(): Promise<void>;
  close(): Promise<void>;
}

async function openUsersData(config: UsersConfig, logger: Logger, mongoOptions: MongoOptions, prismaOptions: PrismaOptions): Promise<ServedData> {
  const timeouts = config.databaseTimeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const ttl = config.accounts.refreshTokenTtlSeconds;
  const home = config.store ?? 'mongodb';
  if (config.mongoUrl && config.databaseUrl) return openMovable(config, { home, mongoUrl: config.mongoUrl, database: config.database, databaseUrl: config.databaseUrl }, logger, timeouts, mongoOptions, prismaOptions);
  if (home === 'postgresql' && !config.databaseUrl) throw new Error('the users store is postgresql, but no USERS_DATABASE_URL was given');
  const data = home === 'postgresql' ? openPrismaUsersData(config.databaseUrl!, ttl, timeouts, prismaOptions) : await openMongoUsersData(config.mongoUrl, config.database, ttl, timeouts, mongoOptions);
  return { ...data, outboxes: [data.users.outbox(), data.refreshTokens.outbox()] };
}

/**
 * Both stores and the move's shared state: the moving stores follow the move's phase (nothing
 * moving: the home store alone). Both stores' outboxes are relayed, so events written by either
 * (the primary before and after a switch) all leave.
 */
async function openMovable(
  config: UsersConfig,
  stores: { home: UsersStore; mongoUrl: string; database: string; databaseUrl: string },
  logger: Logger,
  timeouts: DatabaseTimeouts,
  mongoOptions: MongoOptions,
  prismaOptions: PrismaOptions,
): Promise<ServedData> {
  const ttl = config.accounts.refreshTokenTtlSeconds;
  const { follower, sides, close } = await followMove(
    'users',
    stores.home,
    {
      mongodb: () => openMongoUsersData(stores.mongoUrl, stores.database, ttl, timeouts, mongoOptions),
      postgresql: () => openPrismaUsersData(stores.databaseUrl, ttl, timeouts, prismaOptions),
      state: () => openUsersMoveState(stores),
    },
    logger,
    config.move,
  );
  return {
    users: new MovingUserStore(follower),
    refreshTokens: new MovingRefreshTokenStore(follower),
    auditLog: new MovingAuditLogStore(follower),
    // PostgreSQL's users and tokens share one outbox table: relayed once.
    outboxes: [sides.mongodb.users.outbox(), sides.mongodb.refreshTokens.outbox(), sides.postgresql.users.outbox()],
    ping: () => follower.reader().ping(),
    close,
  };
}
