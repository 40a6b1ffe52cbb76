// First: no dependency's source map is held from here on (lib/ownSourceMapsOnly.ts).
import '../lib/ownSourceMapsOnly';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/runMain';
import { gatewayConfigFromEnv, type GatewayConfig } from './config';
import { startGateway } from './server';
import { tracedService } from '../lib/tracing/tracedMain';
import { limitHeapGrowth } from '../lib/heapGrowth';
import { tracingConfigFromEnv, type TracingConfig } from '../lib/tracing/tracingConfig';

let config: GatewayConfig;
let tracing: TracingConfig | null;
try {
  config = gatewayConfigFromEnv();
  tracing = tracingConfigFromEnv();
} catch (error) {
  process.stderr.write(`gateway: ${(error as Error).message}\n`);
  process.exit(1);
}
const logger = createLogger('gateway', config.logLevel);
limitHeapGrowth(config.heapGrowthPercent);

runMain(logger, () =>
  tracedService(
    tracing,
    async () => {
      const running = await startGateway(config, logger);
      logger.info(`gateway listening on ${running.url}`);
      return running;
    },
    // The gateway's own executor passes the trace context explicitly; Apollo's needs it to follow async work.
    { asyncContext: config.executor !== 'fast' },
  ),
);
