import type { IncomingMessage } from 'node:http';
import { context, SpanKind, SpanStatusCode, type Context } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { extractTrace } from './propagation';
import { serviceContext, serviceTracer } from './tracing';

/**
 * The span of one HTTP request to a service's GraphQL endpoint (`POST /graphql`, kind SERVER),
 * continuing the caller's `traceparent` when it sent one (the gateway's fetch, or a client). All
 * the request's work (the gateway's plan and fetches, a subgraph's resolvers and database calls)
 * runs inside it. Tracing off, it only calls `next`.
 */
const REQUEST_CONTEXTS = new WeakMap<IncomingMessage, Context>();

/** The context of `req`'s span, for work that passes it on explicitly (the gateway's executor); undefined untraced. */
export function requestTraceContext(req: IncomingMessage): Context | undefined {
  return REQUEST_CONTEXTS.get(req);
}

export function traceRequests(service: string): RequestHandler {
  return (req, res, next) => {
    const tracer = serviceTracer(service);
    if (!tracer) return next();
    const parent = extractTrace(req.headers as Record<string, unknown>);
    const span = tracer.startSpan(
      `${req.method} ${req.baseUrl || req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.originalUrl.split('?')[0],
          ...requestIdAttribute(req),
        },
      },
      parent,
    );
    // 'close' comes once the response is done or the connection went first (then it was cancelled).
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished) span.setAttribute('error.type', 'cancelled');
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const traced = serviceContext(parent, tracer, span);
    REQUEST_CONTEXTS.set(req, traced);
    context.with(traced, next);
  };
}

function requestIdAttribute(req: IncomingMessage): Record<string, string> {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' && id.length <= 100 ? { 'schemaflow.request_id': id } : {};
}
