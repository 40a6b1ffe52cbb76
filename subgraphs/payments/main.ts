import { cleanEnv, commonEnv, url } from '../../lib/env';
import { createLogger } from '../../lib/logger';
import { runMain } from '../../lib/runMain';
import { startSubgraph } from '../../lib/subgraph';
import { createPaymentsSubgraph } from './server';

const common = commonEnv(4004);
const env = cleanEnv(process.env, {
  PAYMENTS_DATABASE_URL: url({ desc: 'PostgreSQL URL of the payments database' }),
  USERS_SUBGRAPH_URL: url({ default: 'http://127.0.0.1:4001/', desc: 'The users subgraph, for existence checks' }),
});
const logger = createLogger('payments', common.LOG_LEVEL);

runMain(logger, async () => {
  const subgraph = await createPaymentsSubgraph(
    { databaseUrl: env.PAYMENTS_DATABASE_URL, usersUrl: env.USERS_SUBGRAPH_URL },
    logger,
  );
  const running = await startSubgraph(subgraph, common.PORT, common.HOST);
  logger.info(`listening on ${running.url}`);
  return running;
});
