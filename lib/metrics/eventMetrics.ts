import type { DomainEvent } from '../events/DomainEvent';
import type { EventTransport } from '../events/EventTransport';
import type { OutboxSource } from '../events/OutboxRelay';
import type { Metrics } from './Metrics';
import { secondsSince } from './Metrics';

/**
 * A service's outboxes as gauges, read when Prometheus scrapes (one small query per outbox):
 * `schemaflow_outbox_depth{service}` (events written, not yet published) and
 * `schemaflow_outbox_oldest_event_age_seconds{service}` (the relay's lag: age of the oldest of
 * them, 0 when empty). An outbox that cannot be read then keeps its last values.
 */
export function measureOutboxes(metrics: Metrics, service: string, outboxes: readonly OutboxSource[]): void {
  const read = async () => {
    const backlogs = await Promise.all(outboxes.map((outbox) => outbox.backlog()));
    const depth = backlogs.reduce((sum, backlog) => sum + backlog.depth, 0);
    const oldest = Math.min(...backlogs.map((backlog) => backlog.oldestAt?.getTime() ?? Infinity));
    return { depth, age: Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0 };
  };
  let reading: Promise<{ depth: number; age: number } | null> | null = null;
  // Both gauges come from one read per scrape.
  const shared = () => {
    reading ??= read()
      .catch(() => null)
      .finally(() => setImmediate(() => (reading = null)));
    return reading;
  };
  metrics.gauge({
    name: 'schemaflow_outbox_depth',
    help: 'Events written to the outbox, not yet published',
    labelNames: ['service'],
    async collect() {
      const backlog = await shared();
      if (backlog) this.set({ service }, backlog.depth);
    },
  });
  metrics.gauge({
    name: 'schemaflow_outbox_oldest_event_age_seconds',
    help: 'Age of the oldest event waiting in the outbox (the relay lag), seconds; 0 when empty',
    labelNames: ['service'],
    async collect() {
      const backlog = await shared();
      if (backlog) this.set({ service }, backlog.age);
    },
  });
}

/** `schemaflow_outbox_published_total{service}`: events the relay handed to the transport. */
export function publishedCounter(metrics: Metrics, service: string): (count: number) => void {
  const counter = metrics.counter({ name: 'schemaflow_outbox_published_total', help: 'Events the outbox relay published', labelNames: ['service'] });
  counter.inc({ service }, 0);
  return (count) => counter.inc({ service }, count);
}

/**
 * The transport as the service's consumers see it, measuring each delivery per consumer:
 * `schemaflow_events_handled_total{consumer,outcome}` (success, retry, dead_letter),
 * `schemaflow_event_retries_total{consumer}`, `schemaflow_event_dead_letters_total{consumer}`,
 * `schemaflow_event_handler_duration_seconds{consumer}`, `schemaflow_event_delivery_delay_seconds{consumer}`
 * (from the event's occurredAt to its successful handling) and `schemaflow_event_consumer_lag_seconds{consumer}`:
 * the age of the oldest event the consumer has not finished, 0 when it has none: from the
 * transport's log where it can tell (PostgreSQL: delivered or not), and in any case of the events
 * this process was handed and has not finished (retries included; all RabbitMQ can tell).
 * Consumer names come from lib/events/topology.ts (a bounded set).
 */
export function measuredTransport(transport: EventTransport, metrics: Metrics): EventTransport {
  const handled = metrics.counter({
    name: 'schemaflow_events_handled_total',
    help: 'Deliveries of events to a consumer, by outcome: success, retry (failed, will come again) or dead_letter (failed its last attempt)',
    labelNames: ['consumer', 'outcome'],
  });
  const retries = metrics.counter({ name: 'schemaflow_event_retries_total', help: 'Failed deliveries that will be retried', labelNames: ['consumer'] });
  const deadLetters = metrics.counter({ name: 'schemaflow_event_dead_letters_total', help: 'Events given up on after their retries', labelNames: ['consumer'] });
  const duration = metrics.histogram({ name: 'schemaflow_event_handler_duration_seconds', help: 'Time a consumer took over one delivery, seconds', labelNames: ['consumer'] });
  const delay = metrics.histogram({
    name: 'schemaflow_event_delivery_delay_seconds',
    help: 'From when an event happened to when a consumer finished it, seconds',
    labelNames: ['consumer'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
  });
  /** Per consumer: the events handed and not finished, by id, with when they happened (epoch ms). */
  const unfinished = new Map<string, Map<string, number>>();
  const typesOf = new Map<string, readonly string[]>();
  const inTransport = async (consumer: string): Promise<number> => {
    if (!transport.oldestUnfinished) return Infinity;
    try {
      return (await transport.oldestUnfinished(consumer, typesOf.get(consumer) ?? []))?.getTime() ?? Infinity;
    } catch {
      return Infinity;
    }
  };
  metrics.gauge({
    name: 'schemaflow_event_consumer_lag_seconds',
    help: 'Age of the oldest event a consumer has not finished, seconds; 0 when caught up',
    labelNames: ['consumer'],
    async collect() {
      await Promise.all(
        [...unfinished].map(async ([consumer, events]) => {
          const oldest = Math.min(await inTransport(consumer), ...events.values());
          this.set({ consumer }, Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
        }),
      );
    },
  });
  const finish = (consumer: string, event: DomainEvent) => unfinished.get(consumer)?.delete(event.id);
  return {
    publish: (events) => transport.publish(events),
    deadLetters: (consumer) => transport.deadLetters(consumer),
    close: () => transport.close(),
    ...(transport.oldestUnfinished ? { oldestUnfinished: transport.oldestUnfinished.bind(transport) } : {}),
    subscribe: (consumer, types, handler, options) => {
      if (!unfinished.has(consumer)) unfinished.set(consumer, new Map());
      typesOf.set(consumer, types);
      for (const counter of [retries, deadLetters]) counter.inc({ consumer }, 0);
      return transport.subscribe(
        consumer,
        types,
        async (event, delivery) => {
          const started = performance.now();
          const occurredAt = Date.parse(event.occurredAt);
          unfinished.get(consumer)!.set(event.id, Number.isNaN(occurredAt) ? Date.now() : occurredAt);
          try {
            await handler(event, delivery);
          } catch (error) {
            duration.observe({ consumer }, secondsSince(started));
            if (delivery && delivery.attempt >= delivery.maxAttempts) {
              finish(consumer, event);
              deadLetters.inc({ consumer });
              handled.inc({ consumer, outcome: 'dead_letter' });
            } else {
              retries.inc({ consumer });
              handled.inc({ consumer, outcome: 'retry' });
            }
            throw error;
          }
          duration.observe({ consumer }, secondsSince(started));
          finish(consumer, event);
          handled.inc({ consumer, outcome: 'success' });
          if (!Number.isNaN(occurredAt)) delay.observe({ consumer }, Math.max(0, (Date.now() - occurredAt) / 1000));
        },
        options,
      );
    },
  };
}
