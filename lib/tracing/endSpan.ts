import { SpanStatusCode, type Span } from '@opentelemetry/api';

/** Ends `span` as failed with `error` (recorded on it). */
export function endFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** Ends `span` when `work` settles (failed when it rejects), passing its outcome on. */
export function endWhenSettled<T>(span: Span, work: Promise<T>): Promise<T> {
  return work.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      endFailed(span, error);
      throw error;
    },
  );
}
