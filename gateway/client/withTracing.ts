import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { injectTrace } from '../../lib/tracing/propagation';
import { SubgraphFailure, type SendWrapper } from './types';

/**
 * One CLIENT span per subgraph fetch (`POST <subgraph>`, a child of Apollo Gateway's
 * `gateway.fetch`), and its `traceparent` in the fetch's headers, so the subgraph's request span
 * continues the trace. Outermost: the span covers the breaker, a retry and the signing (which signs
 * the headers as sent, `traceparent` included). Only installed while tracing is on.
 */
export function withTracing(tracer: Tracer): SendWrapper {
  return (next) => async (request) => {
    const span = tracer.startSpan(`POST ${request.subgraph}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'POST', 'url.full': request.url, 'schemaflow.subgraph': request.subgraph },
    });
    const headers = { ...request.headers };
    injectTrace(trace.setSpan(context.active(), span), headers);
    try {
      const response = await next({ ...request, headers });
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    } catch (failure) {
      span.setAttribute('error.type', failure instanceof SubgraphFailure ? failure.reason : 'unknown');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw failure;
    } finally {
      span.end();
    }
  };
}
