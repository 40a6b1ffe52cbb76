import { DEADLINE_HEADER } from '../../lib/deadline';
import { abortReason, SubgraphFailure, type SendWrapper } from './types';

/**
 * Bounds each fetch by the per-subgraph timeout and by what is left of the whole request's
 * deadline, whichever comes first, and aborts it when the client goes away. The subgraph is told
 * the time it has (`x-request-deadline`: the remaining budget in ms) and stops working on the
 * request then (lib/deadline.ts). A request whose deadline has passed, or whose client has gone,
 * sends nothing.
 */
export function withTimeBounds(fetchTimeoutMs: number): SendWrapper {
  return (next) => async (request) => {
    const remaining = request.deadlineAt - Date.now();
    const gone = abortReason(request.signal);
    if (gone || remaining <= 0) throw new SubgraphFailure(gone ?? 'deadline', request.subgraph, true);
    const budget = Math.min(fetchTimeoutMs, remaining);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(budget < fetchTimeoutMs ? 'deadline' : 'timeout'), budget);
    const forward = () => controller.abort(abortReason(request.signal));
    request.signal?.addEventListener('abort', forward, { once: true });
    try {
      return await next({ ...request, signal: controller.signal, headers: { ...request.headers, [DEADLINE_HEADER]: String(budget) } });
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', forward);
    }
  };
}
