import { SubgraphFailure, type FailureReason, type SendWrapper } from './types';

/** Told of every fetch once it has ended: its time, and why it failed if it did. */
export type FetchObserver = (subgraph: string, seconds: number, failure: FailureReason | null) => void;

/**
 * Outermost: sees each fetch as the data source does, after the breaker and any retry (a fetch
 * the open breaker refused counts, as `circuit-open`; a retried one counts once).
 */
export function withMetrics(observe: FetchObserver): SendWrapper {
  return (next) => async (request) => {
    const started = performance.now();
    try {
      const response = await next(request);
      observe(request.subgraph, (performance.now() - started) / 1000, null);
      return response;
    } catch (failure) {
      observe(request.subgraph, (performance.now() - started) / 1000, failure instanceof SubgraphFailure ? failure.reason : 'connection');
      throw failure;
    }
  };
}
