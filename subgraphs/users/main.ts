import { authEnv, cleanEnv, mongoUrl, str } from '../../lib/env';
import { databaseTimeoutsEnv } from '../../lib/databaseTimeouts';
import { runSubgraph } from '../../lib/runSubgraph';
import { withConfiguredTransport } from '../../lib/events/connectTransport';
import { accountsEnv } from './accountsConfig';
import { createUsersSubgraph } from './server';

const env = cleanEnv(process.env, {
  MONGO_URL: mongoUrl({ desc: 'MongoDB connection string (a replica set in production)' }),
  USERS_DATABASE: str({ default: 'schemaflow_users', desc: 'MongoDB database owned by the users service' }),
});

runSubgraph('users', 4001, (logger, metrics) =>
  withConfiguredTransport(logger, (events) =>
    createUsersSubgraph({ mongoUrl: env.MONGO_URL, database: env.USERS_DATABASE, auth: authEnv(), accounts: accountsEnv(), databaseTimeouts: databaseTimeoutsEnv() }, logger, { metrics }, events),
  ),
);
