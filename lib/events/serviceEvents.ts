import type { Logger } from '../logger';
import type { EventTransport, Subscription } from './EventTransport';
import { OutboxRelay, type OutboxSource } from './OutboxRelay';

export interface ServiceEvents {
  stop(): Promise<void>;
}

export interface ServiceEventsOptions {
  /** The service's outboxes, each relayed to the transport. */
  outboxes: readonly OutboxSource[];
  /** Subscribes the service's consumer, if it has one (see lib/events/topology.ts). */
  consume?: (transport: EventTransport) => Promise<Subscription>;
}

/**
 * A service's part in the domain events: relays its outboxes and runs its consumer. Without a
 * transport (tests of one service) events wait in the outbox and nothing is consumed.
 */
export async function startServiceEvents(transport: EventTransport | undefined, logger: Logger, options: ServiceEventsOptions): Promise<ServiceEvents> {
  if (!transport) return { stop: async () => undefined };
  const relays = options.outboxes.map((outbox) => new OutboxRelay(outbox, transport, logger));
  const subscription = options.consume ? await options.consume(transport) : null;
  for (const relay of relays) relay.start();
  return {
    stop: async () => {
      await subscription?.stop();
      await Promise.all(relays.map((relay) => relay.stop()));
    },
  };
}
