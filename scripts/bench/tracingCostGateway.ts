import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { createLogger } from '../../lib/logger';
import { runMain } from '../../lib/runMain';
import { tracedService } from '../../lib/tracing/tracedMain';
import { tracingConfigFromEnv } from '../../lib/tracing/tracingConfig';

/** The gateway process of scripts/bench/tracingCost.ts: gateway/main.ts without its log lines. */
const config = gatewayConfigFromEnv();
const tracing = tracingConfigFromEnv();
const logger = createLogger('gateway', 'error');
runMain(logger, () => tracedService(tracing, () => startGateway(config, logger), { asyncContext: config.executor !== 'fast' }));
