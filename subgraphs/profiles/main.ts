// First: no dependency's source map is held from here on (lib/ownSourceMapsOnly.ts).
import '../../lib/ownSourceMapsOnly';
import { authEnv, bool, cleanEnv, url } from '../../lib/env';
import { databaseTimeoutsEnv } from '../../lib/databaseTimeouts';
import { runSubgraph } from '../../lib/runSubgraph';
import { withConfiguredTransport } from '../../lib/events/connectTransport';
import { migrateOnStart } from '../../prisma/migrate';
import { defaultUrl } from '../../schema/subgraphs';
import { createProfilesSubgraph } from './server';

const env = cleanEnv(process.env, {
  PROFILES_DATABASE_URL: url({ desc: 'PostgreSQL URL of the profiles database' }),
  MIGRATE_ON_START: bool({ default: true, desc: 'Apply pending migrations of prisma/profiles before serving' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users'), desc: 'The users subgraph, for existence checks' }),
});

runSubgraph('profiles', 4005, async (logger, metrics) => {
  if (env.MIGRATE_ON_START) await migrateOnStart(env.PROFILES_DATABASE_URL, 'profiles', logger);
  return withConfiguredTransport(logger, (events) =>
    createProfilesSubgraph({ databaseUrl: env.PROFILES_DATABASE_URL, usersUrl: env.USERS_SUBGRAPH_URL, auth: authEnv(), databaseTimeouts: databaseTimeoutsEnv() }, logger, { metrics }, events),
  );
});
