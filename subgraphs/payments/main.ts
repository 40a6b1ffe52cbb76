import { cleanEnv, url } from '../../lib/env';
import { runSubgraph } from '../../lib/runSubgraph';
import { defaultUrl } from '../../schema/subgraphs';
import { createPaymentsSubgraph } from './server';

const env = cleanEnv(process.env, {
  PAYMENTS_DATABASE_URL: url({ desc: 'PostgreSQL URL of the payments database' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users'), desc: 'The users subgraph, for existence checks' }),
});

runSubgraph('payments', 4004, (logger) =>
  createPaymentsSubgraph({ databaseUrl: env.PAYMENTS_DATABASE_URL, usersUrl: env.USERS_SUBGRAPH_URL }, logger),
);
