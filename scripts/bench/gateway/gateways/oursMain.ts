// First, as gateway/main.ts: no dependency's source map is held (what plain `node` on JavaScript does).
import '../../../../lib/ownSourceMapsOnly';
import { gatewayConfigFromEnv } from '../../../../gateway/config';
import { startGateway } from '../../../../gateway/server';
import { createLogger } from '../../../../lib/logger';
import { runMain } from '../../../../lib/runMain';
import { limitHeapGrowth } from '../../../../lib/heapGrowth';

/**
 * Our gateway as the benchmark runs it: gateway/server.ts with the configuration
 * `gatewayConfigFromEnv` builds from what the benchmark passes (PORT, SUPERGRAPH_FILE,
 * JWT_PUBLIC_KEY, NODE_ENV=production) plus `PROTECTIONS`.
 */

/**
 * Every protection the gateway has is on by default (operation limits and cost budgets, rate
 * limits per caller, time bounds, one retry, circuit breakers, request signing): it is measured
 * as it is meant to run in production. Settings that differ from the defaults go here.
 */
export const PROTECTIONS: Readonly<Record<string, string>> = Object.freeze({});

const config = gatewayConfigFromEnv({ ...process.env, ...PROTECTIONS });
const logger = createLogger('gateway', config.logLevel);
limitHeapGrowth(config.heapGrowthPercent);
runMain(logger, () => startGateway(config, logger));
