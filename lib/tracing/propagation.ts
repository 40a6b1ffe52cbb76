import { context, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C Trace Context (`traceparent`, `tracestate`): how a trace travels in HTTP headers and inside
 * domain events. Used directly rather than through the API's global propagator, so nothing else
 * in the process (a library) changes what is sent.
 */
const W3C = new W3CTraceContextPropagator();

const RECORD_GETTER = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => {
    const value = carrier[key];
    return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined;
  },
};
const RECORD_SETTER = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};

/** The trace context a caller sent (headers with lower-case names, or an event's carrier); the root context without one. */
export function extractTrace(carrier: Record<string, unknown> | undefined): Context {
  return carrier ? W3C.extract(ROOT_CONTEXT, carrier, RECORD_GETTER) : ROOT_CONTEXT;
}

/** Adds `traceparent` (and `tracestate`) of `ctx` to `carrier`. */
export function injectTrace(ctx: Context, carrier: Record<string, string>): void {
  W3C.inject(ctx, carrier, RECORD_SETTER);
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

