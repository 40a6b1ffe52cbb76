import { cleanEnv, url } from '../../lib/env';
import { runSubgraph } from '../../lib/runSubgraph';
import { defaultUrl } from '../../schema/subgraphs';
import { createProfilesSubgraph } from './server';

const env = cleanEnv(process.env, {
  PROFILES_DATABASE_URL: url({ desc: 'PostgreSQL URL of the profiles database' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users'), desc: 'The users subgraph, for existence checks' }),
});

runSubgraph('profiles', 4005, (logger) =>
  createProfilesSubgraph({ databaseUrl: env.PROFILES_DATABASE_URL, usersUrl: env.USERS_SUBGRAPH_URL }, logger),
);
