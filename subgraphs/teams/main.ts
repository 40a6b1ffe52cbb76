// First: no dependency's source map is held from here on (lib/ownSourceMapsOnly.ts).
import '../../lib/ownSourceMapsOnly';
import { authEnv, bool, cleanEnv, mongoUrl, str, url } from '../../lib/env';
import { databaseTimeoutsEnv } from '../../lib/databaseTimeouts';
import { runSubgraph } from '../../lib/runSubgraph';
import { withConfiguredTransport } from '../../lib/events/connectTransport';
import { migrateOnStart } from '../../prisma/migrate';
import { defaultUrl } from '../../schema/subgraphs';
import { createTeamsSubgraph, TEAMS_STORES } from './server';
import { followerEnv } from '../../lib/storeMove/followerEnv';

const env = cleanEnv(process.env, {
  TEAMS_STORE: str({ choices: TEAMS_STORES, default: 'mongodb', desc: 'Which database keeps the teams: mongodb (MONGO_URL) or postgresql (TEAMS_DATABASE_URL)' }),
  MONGO_URL: mongoUrl({ default: undefined, desc: 'MongoDB connection string (a replica set in production); required when TEAMS_STORE=mongodb' }),
  TEAMS_DATABASE: str({ default: 'schemaflow_teams', desc: 'MongoDB database owned by the teams service' }),
  TEAMS_DATABASE_URL: url({ default: undefined, desc: 'PostgreSQL URL of the teams database; required when TEAMS_STORE=postgresql' }),
  MIGRATE_ON_START: bool({ default: true, desc: 'With TEAMS_DATABASE_URL: apply pending migrations of prisma/teams before serving' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users'), desc: 'The users subgraph, for existence checks' }),
});

if (env.TEAMS_STORE === 'mongodb' && !env.MONGO_URL) throw new Error('invalid environment: MONGO_URL is required when TEAMS_STORE=mongodb');
if (env.TEAMS_STORE === 'postgresql' && !env.TEAMS_DATABASE_URL) throw new Error('invalid environment: TEAMS_DATABASE_URL is required when TEAMS_STORE=postgresql');

// With both MONGO_URL and TEAMS_DATABASE_URL the service follows store moves (README: "Moving a service to another database").
const move = followerEnv();

runSubgraph('teams', 4002, async (logger, metrics) => {
  if (env.TEAMS_DATABASE_URL && env.MIGRATE_ON_START) await migrateOnStart(env.TEAMS_DATABASE_URL!, 'teams', logger);
  return withConfiguredTransport(logger, (events) =>
    createTeamsSubgraph(
      {
        store: env.TEAMS_STORE,
        mongoUrl: env.MONGO_URL ?? '',
        database: env.TEAMS_DATABASE,
        databaseUrl: env.TEAMS_DATABASE_URL,
        usersUrl: env.USERS_SUBGRAPH_URL,
        auth: authEnv(),
        databaseTimeouts: databaseTimeoutsEnv(),
        move,
      },
      logger,
      { metrics },
      events,
    ),
  );
});
