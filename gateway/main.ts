import { readFileSync } from 'node:fs';
import { cleanEnv, commonEnv, str, url } from '../lib/env';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/runMain';
import { listen } from '../lib/subgraphServer';
import { defaultUrl, SUPERGRAPH_FILE } from '../schema/subgraphs';
import { buildContext } from './context';
import { buildGatewayServer } from './server';

const common = commonEnv(4000);
const env = cleanEnv(process.env, {
  SUPERGRAPH_FILE: str({ default: SUPERGRAPH_FILE, desc: 'The composed supergraph to serve' }),
  USERS_SUBGRAPH_URL: url({ default: defaultUrl('users') }),
  TEAMS_SUBGRAPH_URL: url({ default: defaultUrl('teams') }),
  PROJECTS_SUBGRAPH_URL: url({ default: defaultUrl('projects') }),
  PAYMENTS_SUBGRAPH_URL: url({ default: defaultUrl('payments') }),
  PROFILES_SUBGRAPH_URL: url({ default: defaultUrl('profiles') }),
});
const logger = createLogger('gateway', common.LOG_LEVEL);

runMain(logger, async () => {
  const server = buildGatewayServer(
    {
      supergraphSdl: readFileSync(env.SUPERGRAPH_FILE, 'utf8'),
      subgraphUrls: {
        users: env.USERS_SUBGRAPH_URL,
        teams: env.TEAMS_SUBGRAPH_URL,
        projects: env.PROJECTS_SUBGRAPH_URL,
        payments: env.PAYMENTS_SUBGRAPH_URL,
        profiles: env.PROFILES_SUBGRAPH_URL,
      },
    },
    logger,
  );
  const running = await listen(server, common.PORT, buildContext, common.HOST);
  logger.info(`gateway listening on ${running.url}`);
  return running;
});
