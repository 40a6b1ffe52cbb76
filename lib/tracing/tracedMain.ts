import type { Stoppable } from '../runMain';
import { startTracing, type TracingOptions } from './tracing';
import type { TracingConfig } from './tracingConfig';

/**
 * A service's start with tracing around it (main.ts): tracing is on before anything is built, and
 * its last spans are exported after the service stopped.
 */
export async function tracedService(config: TracingConfig | null, start: () => Promise<Stoppable>, options?: TracingOptions): Promise<Stoppable> {
  const tracing = startTracing(config, options);
  let service: Stoppable;
  try {
    service = await start();
  } catch (error) {
    await tracing.stop();
    throw error;
  }
  return {
    url: service.url,
    stop: async () => {
      try {
        await service.stop();
      } finally {
        await tracing.stop();
      }
    },
  };
}
