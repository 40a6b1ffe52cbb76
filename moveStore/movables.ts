import { cleanEnv, str, url } from 'envalid';
import { mongoUrl, throwingReporter } from '../lib/env';
import { MoveError } from '../lib/storeMove/MoveError';
import { STORE_ENGINES, type Movable } from '../lib/storeMove/types';
import { teamsMovable } from '../subgraphs/teams/move/teamsMovable';
import { usersMovable } from '../subgraphs/users/move/usersMovable';

/** The services `npm run move-store` knows, each with how to find its two stores in the environment. */
export const MOVABLE_SERVICES = ['users', 'teams'] as const;
export type MovableService = (typeof MOVABLE_SERVICES)[number];

function teamsFromEnv(environment: NodeJS.ProcessEnv): Movable<unknown> {
  const env = cleanEnv(
    environment,
    {
      TEAMS_STORE: str({ choices: STORE_ENGINES, default: 'mongodb', desc: "The teams' home store: where the move's shared state lives" }),
      MONGO_URL: mongoUrl({ default: undefined }),
      TEAMS_DATABASE: str({ default: 'schemaflow_teams' }),
      TEAMS_DATABASE_URL: url({ default: undefined }),
    },
    { reporter: throwingReporter },
  );
  const missing = [!env.MONGO_URL && 'MONGO_URL', !env.TEAMS_DATABASE_URL && 'TEAMS_DATABASE_URL'].filter(Boolean);
  if (missing.length > 0) throw new MoveError('MOVE_BAD_TARGET', `a move needs both of the teams' stores: set ${missing.join(' and ')} (as the teams service has them)`);
  return teamsMovable({ home: env.TEAMS_STORE, mongoUrl: env.MONGO_URL!, database: env.TEAMS_DATABASE, databaseUrl: env.TEAMS_DATABASE_URL! }) as Movable<unknown>;
}

function usersFromEnv(environment: NodeJS.ProcessEnv): Movable<unknown> {
  const env = cleanEnv(
    environment,
    {
      USERS_STORE: str({ choices: STORE_ENGINES, default: 'mongodb', desc: "The users' home store: where the move's shared state lives" }),
      MONGO_URL: mongoUrl({ default: undefined }),
      USERS_DATABASE: str({ default: 'schemaflow_users' }),
      USERS_DATABASE_URL: url({ default: undefined }),
    },
    { reporter: throwingReporter },
  );
  const missing = [!env.MONGO_URL && 'MONGO_URL', !env.USERS_DATABASE_URL && 'USERS_DATABASE_URL'].filter(Boolean);
  if (missing.length > 0) throw new MoveError('MOVE_BAD_TARGET', `a move needs both of the users' stores: set ${missing.join(' and ')} (as the users service has them)`);
  // The command copies tokens and issues none: their lifetime plays no part.
  return usersMovable({ home: env.USERS_STORE, mongoUrl: env.MONGO_URL!, database: env.USERS_DATABASE, databaseUrl: env.USERS_DATABASE_URL!, refreshTokenTtlSeconds: 0 }) as Movable<unknown>;
}

/** Each service's Movable from the environment: one Movable per service (subgraphs/<service>/move/) and its entry here. */
export const MOVABLES: Record<MovableService, (env: NodeJS.ProcessEnv) => Movable<unknown>> = {
  teams: teamsFromEnv,
  users: usersFromEnv,
};
