import { commonEnv } from './env';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics/Metrics';
import { runMain } from './runMain';
import { startSubgraph, type Subgraph } from './subgraph';
import type { BaseContext } from './subgraphServer';
import { tracedService } from './tracing/tracedMain';
import { tracingConfigFromEnv, type TracingConfig } from './tracing/tracingConfig';

/**
 * What each subgraph's main.ts does after parsing its own settings: read the common ones (PORT,
 * HOST, LOG_LEVEL, the OTEL_* tracing variables), build the subgraph, listen, and live until told to stop.
 */
export function runSubgraph<TContext extends BaseContext>(
  name: string,
  defaultPort: number,
  /** `metrics`: the process's one registry, for its database client and events (served at /metrics). */
  build: (logger: Logger, metrics: Metrics) => Promise<Subgraph<TContext>>,
): void {
  const common = commonEnv(defaultPort);
  const logger = createLogger(name, common.LOG_LEVEL);
  let tracing: TracingConfig | null;
  try {
    tracing = tracingConfigFromEnv();
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  runMain(logger, () =>
    tracedService(tracing, async () => {
      const metrics = new Metrics();
      const running = await startSubgraph(await build(logger, metrics), common.PORT, common.HOST, {
        shutdownDelayMs: common.SHUTDOWN_DELAY_MS,
        logger,
        metrics,
      });
      logger.info(`listening on ${running.url}`);
      return running;
    }),
  );
}
