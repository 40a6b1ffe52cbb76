import { SubgraphFailure, type SendWrapper } from './types';

/**
 * Transport errors that mean the request never reached a subgraph that would answer it: a reset
 * or closed connection (typically a kept-alive socket the other side closed just then), a broken
 * pipe, or a refused connection.
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Whether a failed fetch may be sent once more. */
export function isRetryable(failure: unknown, idempotent: boolean): boolean {
  return (
    idempotent &&
    failure instanceof SubgraphFailure &&
    failure.reason === 'connection' &&
    failure.beforeResponse &&
    failure.code !== undefined &&
    RETRYABLE_CODES.has(failure.code)
  );
}

/**
 * Exactly one more try of a query (never a mutation, which the subgraph might have applied) whose
 * fetch failed on the connection before any byte of the answer came back. It goes out on another
 * connection of the pool (undici drops the broken one), within the same time bounds.
 */
export function withRetry(): SendWrapper {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (failure) {
      if (!isRetryable(failure, request.idempotent)) throw failure;
      return next(request);
    }
  };
}
