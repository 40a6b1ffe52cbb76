import { serveHttp } from '../lib/httpServer';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/runMain';
import { gatewayConfigFromEnv } from './config';
import { buildContext } from './context';
import { buildGatewayServer } from './server';

const config = gatewayConfigFromEnv();
const logger = createLogger('gateway', config.logLevel);

runMain(logger, async () => {
  const server = buildGatewayServer(config, logger);
  const running = await serveHttp({ server, context: buildContext, port: config.port, host: config.host });
  logger.info(`gateway listening on ${running.url}`);
  return running;
});
