import { cleanEnv, commonEnv, url } from '../../lib/env';
import { createLogger } from '../../lib/logger';
import { runMain } from '../../lib/runMain';
import { startSubgraph } from '../../lib/subgraph';
import { createProjectsSubgraph } from './server';

const common = commonEnv(4003);
const env = cleanEnv(process.env, {
  PROJECTS_DATABASE_URL: url({ desc: 'PostgreSQL URL of the projects database' }),
  USERS_SUBGRAPH_URL: url({ default: 'http://127.0.0.1:4001/', desc: 'The users subgraph, for existence checks' }),
  TEAMS_SUBGRAPH_URL: url({ default: 'http://127.0.0.1:4002/', desc: 'The teams subgraph, for existence checks' }),
});
const logger = createLogger('projects', common.LOG_LEVEL);

runMain(logger, async () => {
  const subgraph = await createProjectsSubgraph(
    { databaseUrl: env.PROJECTS_DATABASE_URL, usersUrl: env.USERS_SUBGRAPH_URL, teamsUrl: env.TEAMS_SUBGRAPH_URL },
    logger,
  );
  const running = await startSubgraph(subgraph, common.PORT, common.HOST);
  logger.info(`listening on ${running.url}`);
  return running;
});
