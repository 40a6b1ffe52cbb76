import { MoveError } from './MoveError';
import type { MoveStateStore } from './MoveStateStore';
import type { InstanceReport } from './types';

export interface AckOptions {
  /** An instance that has not reported for this long is taken for gone (ms). */
  liveForMs: number;
  /** How long to wait for every live instance (ms). */
  timeoutMs: number;
}

/**
 * Waits until every live instance of the service follows `generation` (each acknowledges only
 * once the writes it began before it have finished, mirror included). Returns their reports.
 */
export async function awaitAcks(store: MoveStateStore, service: string, generation: number, options: AckOptions): Promise<InstanceReport[]> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const instances = await store.instances(service, options.liveForMs);
    const behind = instances.filter((instance) => instance.generation < generation);
    if (behind.length === 0) return instances;
    if (Date.now() > deadline) {
      throw new MoveError('MOVE_BARRIER_TIMEOUT', `${behind.length} instance(s) of ${service} did not follow the move within ${options.timeoutMs} ms (${behind.map((i) => i.instanceId).join(', ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
