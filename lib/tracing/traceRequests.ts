import type { IncomingMessage } from 'node:http';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { extractTrace } from './propagation';
import { serviceContext, serviceTracer } from './tracing';

/**
 * The span of one HTTP request to a service's GraphQL endpoint (`POST /graphql`, kind SERVER),
 * continuing the caller's `traceparent` when it sent one (the gateway's fetch, or a client). All
 * the request's work (the gateway's plan and fetches, a subgraph's resolvers and database calls)
 * runs inside it. Tracing off, it only calls `next`.
 */
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
    context.with(serviceContext(parent, tracer, span), next);
  };
}

function requestIdAttribute(req: IncomingMessage): Record<string, string> {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' && id.length <= 100 ? { 'schemaflow.request_id': id } : {};
}
