import type { Dispatcher } from 'undici';
import type { SubgraphPools } from './SubgraphPools';
import { abortReason, SubgraphFailure, type Send } from './types';

/**
 * What undici is told when a fetch is given up (its time bound, the client gone): one Error made
 * once, since the fetch itself fails with a `SubgraphFailure` that names why.
 */
const GIVEN_UP = new Error('the gateway gave up this fetch');

/**
 * The innermost `Send`: one POST over the subgraph origin's pooled keep-alive connections,
 * dispatched with a handler of its own (undici's `dispatch`, which `request` is built on): the
 * body's chunks are collected and parsed once, with no response stream or async resource per
 * fetch. A status of 500 or more is a failure (`server-error`), so the layers above (breaker)
 * count it; anything below 500 is an answer for the data source. Aborting the request's signal
 * fails the fetch at once and aborts it in undici (which drops the connection if it was in use).
 */
export function undiciSend(pools: SubgraphPools): Send {
  return (request) =>
    new Promise((resolve, reject) => {
      const { pool, path } = pools.target(request.url);
      const signal = request.signal;
      if (signal?.aborted) return reject(new SubgraphFailure(abortReason(signal)!, request.subgraph, true));
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let answering = false;
      let settled = false;
      const chunks: Buffer[] = [];
      const settle = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (cause: unknown) => {
        if (settled) return;
        settle();
        reject(new SubgraphFailure(abortReason(signal) ?? 'connection', request.subgraph, !answering, cause));
      };
      const onAbort = () => {
        fail(undefined);
        controller?.abort(GIVEN_UP);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (settled) started.abort(GIVEN_UP);
        },
        onResponseStart(_controller, statusCode) {
          answering = true;
          status = statusCode;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          settle();
          if (status >= 500) return reject(new SubgraphFailure('server-error', request.subgraph, false, { code: `HTTP_${status}` }));
          // Decoded once all bytes are in: a character split across two chunks stays whole.
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            return reject(new SubgraphFailure('bad-response', request.subgraph, false));
          }
          resolve({ status, body });
        },
        onResponseError(_controller, error) {
          fail(error);
        },
      };
      try {
        pool.dispatch({ method: 'POST', path, headers: request.headers, body: request.body }, handler);
      } catch (error) {
        fail(error);
      }
    });
}
