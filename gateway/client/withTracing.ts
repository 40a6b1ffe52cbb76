import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { injectSpanContext } from '../../lib/tracing/propagation';
import { SubgraphFailure, type SendWrapper } from './types';

/**
 * One CLIENT span per subgraph fetch (`POST <subgraph>`, a child of the executor's
 * `gateway.fetch`), and its `traceparent` in the fetch's headers, so the subgraph's request span
 * continues the trace. Outermost: the span covers the breaker, a retry and the signing (which signs
 * the headers as sent, `traceparent` included). Only installed while tracing is on.
 *
 * A fetch of a request whose trace is not kept (sampled out: its span does not record) gets no
 * span of its own, only the `traceparent` of that span, which tells the subgraph the trace is not
 * kept: every sampler decides a child as it decided the parent (README "Traces").
 */
export function withTracing(tracer: Tracer): SendWrapper {
  return (next) => async (request) => {
    const parent = request.trace ?? context.active();
    const parentSpan = trace.getSpan(parent);
    const headers = { ...request.headers };
    if (parentSpan && !parentSpan.isRecording()) {
      injectSpanContext(parentSpan.spanContext(), headers);
      return next({ ...request, headers });
    }
    const span = tracer.startSpan(
      `POST ${request.subgraph}`,
      { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': request.url, 'schemaflow.subgraph': request.subgraph } },
      parent,
    );
    injectSpanContext(span.spanContext(), headers);
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
