// First: no dependency's source map is held from here on (lib/ownSourceMapsOnly.ts).
import '../../lib/ownSourceMapsOnly';
import { authEnv, bool, cleanEnv, mongoUrl, str, url } from '../../lib/env';
import { databaseTimeoutsEnv } from '../../lib/databaseTimeouts';
import { runSubgraph } from '../../lib/runSubgraph';
import { withConfiguredTransport } from '../../lib/events/connectTransport';
import { migrateOnStart } from '../../prisma/migrate';
import { accountsEnv } from './accountsConfig';
import { createUsersSubgraph, USERS_STORES } from './server';
import { followerEnv } from '../../lib/storeMove/followerEnv';

const env = cleanEnv(process.env, {
  USERS_STORE: str({ choices: USERS_STORES, default: 'mongodb', desc: 'Which database keeps the users: mongodb (MONGO_URL) or postgresql (USERS_DATABASE_URL)' }),
  MONGO_URL: mongoUrl({ default: undefined, desc: 'MongoDB connection string (a replica set in production); required when USERS_STORE=mongodb' }),
  USERS_DATABASE: str({ default: 'schemaflow_users', desc: 'MongoDB database owned by the users service' }),
  USERS_DATABASE_URL: url({ default: undefined, desc: 'PostgreSQL URL of the users database; required when USERS_STORE=postgresql' }),
  MIGRATE_ON_START: bool({ default: true, desc: 'With USERS_DATABASE_URL: apply pending migrations of prisma/users before serving' }),
});

if (env.USERS_STORE === 'mongodb' && !env.MONGO_URL) throw new Error('invalid environment: MONGO_URL is required when USERS_STORE=mongodb');
if (env.USERS_STORE === 'postgresql' && !env.USERS_DATABASE_URL) throw new Error('invalid environment: USERS_DATABASE_URL is required when USERS_STORE=postgresql');

// With both MONGO_URL and USERS_DATABASE_URL the service follows store moves (README: "Moving a service to another database").
const move = followerEnv();

runSubgraph('users', 4001, async (logger, metrics) => {
  if (env.USERS_DATABASE_URL && env.MIGRATE_ON_START) await migrateOnStart(env.USERS_DATABASE_URL, 'users', logger);
  return withConfiguredTransport(logger, (events) =>
    createUsersSubgraph(
      {
        store: env.USERS_STORE,
        mongoUrl: env.MONGO_URL ?? '',
        database: env.USERS_DATABASE,
        databaseUrl: env.USERS_DATABASE_URL,
        auth: authEnv(),
        accounts: accountsEnv(),
        databaseTimeouts: databaseTimeoutsEnv(),
        move,
      },
      logger,
      { metrics },
      events,
    ),
  );
});
