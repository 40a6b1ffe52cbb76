import { authEnv, bool, cleanEnv, url } from '../../lib/env';
import { runSubgraph } from '../../lib/runSubgraph';
import { migrateOnStart } from '../../prisma/migrate';
import { defaultUrl } from '../../schema/subgraphs';
import { createProfilesSubgraph } from './server';
import { closingTransport, connectTransport, eventsEnv } from '../../lib/events/connectTransport';

const env = cleanEnv(process.env, {
  PROFILES_DATABASE_URL: url({ desc: 'PostgreSQL URL of the profiles database' }),
  MIGRATE_ON_START: bool({ default: true, desc: 'Apply pending migrations of prisma/profiles before serving' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users'), desc: 'The users subgraph, for existence checks' }),
});

runSubgraph('profiles', 4005, async (logger) => {
  if (env.MIGRATE_ON_START) await migrateOnStart(env.PROFILES_DATABASE_URL, 'profiles', logger);
  const events = await connectTransport(eventsEnv(), logger);
  return closingTransport(
    await createProfilesSubgraph({ databaseUrl: env.PROFILES_DATABASE_URL, usersUrl: env.USERS_SUBGRAPH_URL, auth: authEnv() }, logger, {}, events ?? undefined),
    events,
  );
});
