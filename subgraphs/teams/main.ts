import { authEnv, cleanEnv, mongoUrl, str, url } from '../../lib/env';
import { databaseTimeoutsEnv } from '../../lib/databaseTimeouts';
import { runSubgraph } from '../../lib/runSubgraph';
import { withConfiguredTransport } from '../../lib/events/connectTransport';
import { defaultUrl } from '../../schema/subgraphs';
import { createTeamsSubgraph } from './server';

const env = cleanEnv(process.env, {
  MONGO_URL: mongoUrl({ desc: 'MongoDB connection string (a replica set in production)' }),
  TEAMS_DATABASE: str({ default: 'schemaflow_teams', desc: 'MongoDB database owned by the teams service' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users'), desc: 'The users subgraph, for existence checks' }),
});

runSubgraph('teams', 4002, (logger, metrics) =>
  withConfiguredTransport(logger, (events) =>
    createTeamsSubgraph(
      { mongoUrl: env.MONGO_URL, database: env.TEAMS_DATABASE, usersUrl: env.USERS_SUBGRAPH_URL, auth: authEnv(), databaseTimeouts: databaseTimeoutsEnv() },
      logger,
      { metrics },
      events,
    ),
  ),
);
