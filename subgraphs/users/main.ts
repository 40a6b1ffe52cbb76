import { cleanEnv, commonEnv, str, url } from '../../lib/env';
import { createLogger } from '../../lib/logger';
import { runMain } from '../../lib/runMain';
import { startSubgraph } from '../../lib/subgraph';
import { createUsersSubgraph } from './server';

const common = commonEnv(4001);
const env = cleanEnv(process.env, {
  MONGO_URL: url({ desc: 'MongoDB connection string (a replica set in production)' }),
  USERS_DATABASE: str({ default: 'schemaflow_users', desc: 'MongoDB database owned by the users service' }),
});
const logger = createLogger('users', common.LOG_LEVEL);

runMain(logger, async () => {
  const subgraph = await createUsersSubgraph({ mongoUrl: env.MONGO_URL, database: env.USERS_DATABASE }, logger);
  const running = await startSubgraph(subgraph, common.PORT, common.HOST);
  logger.info(`listening on ${running.url}`);
  return running;
});
