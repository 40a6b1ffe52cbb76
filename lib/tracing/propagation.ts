import { context, isSpanContextValid, ROOT_CONTEXT, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C Trace Context (`traceparent`, `tracestate`): how a trace travels in HTTP headers and inside
 * domain events. Used directly rather than through the API's global propagator, so nothing else
 * in the process (a library) changes what is sent. What a caller sent is read (and validated) by
 * the SDK's propagator; what is sent is written here from the span's context, as the propagator
 * writes it, without a context to make first (every subgraph fetch of a traced request writes one).
 */
const W3C = new W3CTraceContextPropagator();

const RECORD_GETTER = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => {
    const value = carrier[key];
    return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined;
  },
};

/** The trace context a caller sent (headers with lower-case names, or an event's carrier); the root context without one. */
export function extractTrace(carrier: Record<string, unknown> | undefined): Context {
  return carrier ? W3C.extract(ROOT_CONTEXT, carrier, RECORD_GETTER) : ROOT_CONTEXT;
}

/** Adds `traceparent` (and `tracestate`) of `ctx`'s span to `carrier`; nothing without a valid one. */
export function injectTrace(ctx: Context, carrier: Record<string, string>): void {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext && isSpanContextValid(spanContext)) injectSpanContext(spanContext, carrier);
}

/** Adds `traceparent` (and `tracestate`) naming the span of `spanContext` as the parent to `carrier`. */
export function injectSpanContext(spanContext: SpanContext, carrier: Record<string, string>): void {
  carrier.traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-0${Number(spanContext.traceFlags || TraceFlags.NONE).toString(16)}`;
  if (spanContext.traceState) carrier.tracestate = spanContext.traceState.serialize();
}

/** What a domain event carries of the span that caused it. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The active span's context to write into an event; undefined outside a sampled span (tracing off). */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const active = context.active();
  if (!trace.getSpanContext(active)) return undefined;
  const carrier: Record<string, string> = {};
  injectTrace(active, carrier);
  return carrier.traceparent ? (carrier as unknown as TraceCarrier) : undefined;
}

