import { gatewayConfigFromEnv } from '../../../../gateway/config';
import { startGateway } from '../../../../gateway/server';
import { createLogger } from '../../../../lib/logger';
import { runMain } from '../../../../lib/runMain';

/**
 * Our gateway as the benchmark runs it: gateway/server.ts with the configuration
 * `gatewayConfigFromEnv` builds from what the benchmark passes (PORT, SUPERGRAPH_FILE,
 * JWT_PUBLIC_KEY, NODE_ENV=production) plus `PROTECTIONS`.
 */

/**
 * Every protection the gateway has, switched on, so that it is measured as it is meant to run in
 * production (none exists in this branch yet; each one's settings go here as environment values).
 */
export const PROTECTIONS: Readonly<Record<string, string>> = Object.freeze({});

const config = gatewayConfigFromEnv({ ...process.env, ...PROTECTIONS });
const logger = createLogger('gateway', config.logLevel);
runMain(logger, () => startGateway(config, logger));
