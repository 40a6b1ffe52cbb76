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
import type { DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { openMongoTeamsData } from './openMongoTeamsData';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

export interface TeamsConfig {
  mongoUrl: string;
  /** The MongoDB database this service owns. */
  database: string;
  /** The users subgraph, asked whether a user exists before they become a member. */
  usersUrl: string;
  /** How this service verifies callers (its `teamsUrl` is unused: this service checks team tokens itself). */
  auth: AuthConfig;
  /** Bounds on every database statement and connection (DATABASE_*_TIMEOUT_MS); the defaults when not given. */
  databaseTimeouts?: DatabaseTimeouts;
}

export async function createTeamsSubgraph(
  config: TeamsConfig,
  logger: Logger,
  mongoOptions: MongoOptions = {},
  /** Where domain events go and come from; without it they wait in the outbox (tests of one service). */
  events?: EventTransport,
): Promise<Subgraph<TeamsContext>> {
  const data = await openMongoTeamsData(config.mongoUrl, config.database, config.databaseTimeouts, mongoOptions);
  const { teams: store, tokens, processed } = data;
  const revocations = new RevocationList();
  const serviceEvents = await startServiceEvents(events, logger, {
    outboxes: [store.outbox(), tokens.outbox()],
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
