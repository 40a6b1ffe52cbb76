import { cleanEnv, commonEnv, str, url } from '../../lib/env';
import { createLogger } from '../../lib/logger';
import { runMain } from '../../lib/runMain';
import { startSubgraph } from '../../lib/subgraph';
import { createTeamsSubgraph } from './server';

const common = commonEnv(4002);
const env = cleanEnv(process.env, {
  MONGO_URL: url({ desc: 'MongoDB connection string (a replica set in production)' }),
  TEAMS_DATABASE: str({ default: 'schemaflow_teams', desc: 'MongoDB database owned by the teams service' }),
  USERS_SUBGRAPH_URL: url({ default: 'http://127.0.0.1:4001/', desc: 'The users subgraph, for existence checks' }),
});
const logger = createLogger('teams', common.LOG_LEVEL);

runMain(logger, async () => {
  const subgraph = await createTeamsSubgraph(
    { mongoUrl: env.MONGO_URL, database: env.TEAMS_DATABASE, usersUrl: env.USERS_SUBGRAPH_URL },
    logger,
  );
  const running = await startSubgraph(subgraph, common.PORT, common.HOST);
  logger.info(`listening on ${running.url}`);
  return running;
});
