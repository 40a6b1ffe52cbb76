import { context, SpanKind } from '@opentelemetry/api';
import type { DomainEvent } from '../events/DomainEvent';
import { endWhenSettled } from './endSpan';
import { extractTrace } from './propagation';
import { serviceContext, serviceTracer } from './tracing';

/** The service a consumer of lib/events/topology.ts runs in (its spans carry that service's name). */
export function serviceOfConsumer(consumer: string): string {
  if (consumer === 'audit') return 'users';
  return consumer.startsWith('sessions.') ? consumer.slice('sessions.'.length) : consumer;
}

/**
 * Runs a consumer's handling of one event in a CONSUMER span (`process user.deleted`) whose parent
 * is the span that made the event (its envelope's `trace`): the mutation's trace continues into
 * every consumer, and the handler's database calls are children of this span. Tracing off, it
 * only runs the handler.
 */
export function traceConsumer<T>(consumer: string, event: DomainEvent, handle: () => Promise<T>): Promise<T> {
  const tracer = serviceTracer(serviceOfConsumer(consumer));
  if (!tracer) return handle();
  const parent = extractTrace(event.trace as Record<string, unknown> | undefined);
  const span = tracer.startSpan(
    `process ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.destination.name': event.type,
        'messaging.consumer.group.name': consumer,
        'messaging.message.id': event.id,
        'schemaflow.event.source': event.source,
      },
    },
    parent,
  );
  return endWhenSettled(span, context.with(serviceContext(parent, tracer, span), handle));
}
