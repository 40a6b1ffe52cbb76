import { createLogger } from '../lib/logger';
import { runMain } from '../lib/runMain';
import { gatewayConfigFromEnv, type GatewayConfig } from './config';
import { startGateway } from './server';

let config: GatewayConfig;
try {
  config = gatewayConfigFromEnv();
} catch (error) {
  process.stderr.write(`gateway: ${(error as Error).message}\n`);
  process.exit(1);
}
const logger = createLogger('gateway', config.logLevel);

runMain(logger, async () => {
  const running = await startGateway(config, logger);
  logger.info(`gateway listening on ${running.url}`);
  return running;
});
