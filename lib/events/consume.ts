import type { Logger } from '../logger';
import { isId } from '../validate';
import type { DomainEvent } from './DomainEvent';
import type { EventTransport, Subscription } from './EventTransport';
import { CONSUMERS, type ConsumerName } from './topology';
import { traceConsumer } from '../tracing/traceConsumer';

/**
 * Subscribes a service's consumer to the events topology.ts gives it. `apply` returns false for an
 * event it had already handled (a redelivery), which is logged and otherwise ignored. `queue` is
 * the consumer's durable queue, normally its name (tests run a second consumer beside it).
 */
export function consume(
  transport: EventTransport,
  consumer: ConsumerName,
  logger: Logger,
  apply: (event: DomainEvent) => Promise<boolean>,
  queue: string = consumer,
): Promise<Subscription> {
  return transport.subscribe(queue, CONSUMERS[consumer], (event) =>
    traceConsumer(consumer, event, async () => {
      if (!(await apply(event))) logger.debug(`event ${event.id} was already handled`);
    }),
  );
}

/** An id the event's payload must carry; an event without it can never succeed (it is dead-lettered with this reason). */
export function payloadId(event: DomainEvent, field: string): string {
  const value = event.payload[field];
  if (!isId(value)) throw new Error(`${event.type} ${event.id} carries no valid ${field}`);
  return value;
}
