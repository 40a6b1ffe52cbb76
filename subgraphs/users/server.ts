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
  const data = await openUsersData(config, mongoOptions, prismaOptions);
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
    outboxes: [store.outbox(), refreshTokens.outbox()],
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

function openUsersData(config: UsersConfig, mongoOptions: MongoOptions, prismaOptions: PrismaOptions) {
  const timeouts = config.databaseTimeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const ttl = config.accounts.refreshTokenTtlSeconds;
  if (config.store !== 'postgresql') return openMongoUsersData(config.mongoUrl, config.database, ttl, timeouts, mongoOptions);
  if (!config.databaseUrl) throw new Error('the users store is postgresql, but no USERS_DATABASE_URL was given');
  return Promise.resolve(openPrismaUsersData(config.databaseUrl, ttl, timeouts, prismaOptions));
}
