import type { Logger } from '../logger';
import { measuredTransport, measureOutboxes, publishedCounter } from '../metrics/eventMetrics';
import type { Metrics } from '../metrics/Metrics';
import type { EventTransport, Subscription } from './EventTransport';
import { OutboxRelay, type OutboxSource } from './OutboxRelay';

export interface ServiceEvents {
  stop(): Promise<void>;
}

export interface ServiceEventsOptions {
  /** The service's outboxes, each relayed to the transport. */
  outboxes: readonly OutboxSource[];
  /** Subscribes the service's consumers (see lib/events/topology.ts). */
  consumers?: readonly ((transport: EventTransport) => Promise<Subscription>)[];
  /** The process's registry and the service's name: outbox depth and lag, and each consumer's deliveries (lib/metrics/eventMetrics.ts). */
  metrics?: { metrics: Metrics; service: string };
}

/**
 * A service's part in the domain events: relays its outboxes and runs its consumers. Without a
 * transport (tests of one service) events wait in the outbox and nothing is consumed.
 */
export async function startServiceEvents(given: EventTransport | undefined, logger: Logger, options: ServiceEventsOptions): Promise<ServiceEvents> {
  const measured = options.metrics;
  if (measured) measureOutboxes(measured.metrics, measured.service, options.outboxes);
  if (!given) return { stop: async () => undefined };
  const transport = measured ? measuredTransport(given, measured.metrics) : given;
  const published = measured ? publishedCounter(measured.metrics, measured.service) : undefined;
  const relays = options.outboxes.map((outbox) => new OutboxRelay(outbox, transport, logger, { onPublished: published }));
  const subscriptions: Subscription[] = [];
  try {
    for (const subscribe of options.consumers ?? []) subscriptions.push(await subscribe(transport));
  } catch (error) {
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    throw error;
  }
  for (const relay of relays) relay.start();
  return {
    stop: async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      await Promise.all(relays.map((relay) => relay.stop()));
    },
  };
}
