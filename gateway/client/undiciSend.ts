import type { SubgraphPools } from './SubgraphPools';
import { abortReason, SubgraphFailure, type Send } from './types';

/**
 * The innermost `Send`: one POST over the subgraph origin's pooled keep-alive connections. The
 * body is read as text and parsed once. A status of 500 or more is a failure (`server-error`),
 * so the layers above (breaker) count it; anything below 500 is an answer for the data source.
 */
export function undiciSend(pools: SubgraphPools): Send {
  return async (request) => {
    const { pool, path } = pools.target(request.url);
    let response;
    try {
      response = await pool.request({ method: 'POST', path, headers: request.headers, body: request.body, signal: request.signal });
    } catch (error) {
      throw new SubgraphFailure(abortReason(request.signal) ?? 'connection', request.subgraph, true, error);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw new SubgraphFailure(abortReason(request.signal) ?? 'connection', request.subgraph, false, error);
    }
    if (response.statusCode >= 500) throw new SubgraphFailure('server-error', request.subgraph, false, { code: `HTTP_${response.statusCode}` });
    try {
      return { status: response.statusCode, body: JSON.parse(text) as unknown };
    } catch {
      throw new SubgraphFailure('bad-response', request.subgraph, false);
    }
  };
}
