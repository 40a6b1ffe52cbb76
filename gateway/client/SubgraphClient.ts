import type { RequestSigner } from '../../lib/auth/RequestSigner';
import type { Logger } from '../../lib/logger';
import { CircuitBreakers, type BreakerObserver, type BreakerOptions } from './CircuitBreakers';
import { SubgraphPools } from './SubgraphPools';
import type { Send, SendWrapper } from './types';
import { undiciSend } from './undiciSend';
import { withRetry } from './withRetry';
import { withSigning } from './withSigning';
import { withTimeBounds } from './withTimeBounds';
import { withMetrics, type FetchObserver } from './withMetrics';
import { withTracing } from './withTracing';
import { serviceTracer } from '../../lib/tracing/tracing';

export interface SubgraphClientOptions {
  /** Most one fetch to a subgraph may take, ms (less when the request's deadline is nearer). */
  timeoutMs: number;
  /** Most connections per subgraph origin. */
  connections: number;
  /** How long an idle connection is kept, ms (below the subgraphs' keep-alive timeout). */
  keepAliveMs: number;
  breaker: BreakerOptions;
}

/** What the client reports to metrics: each fetch, and each change of a breaker's state. */
export interface SubgraphClientObservers {
  fetch: FetchObserver;
  breaker: BreakerObserver;
}

/** `wrappers` around `base`, the first outermost. */
export function compose(base: Send, wrappers: SendWrapper[]): Send {
  return wrappers.reduceRight<Send>((next, wrap) => wrap(next), base);
}

/**
 * The gateway's one client to every subgraph, built once and shared by every supergraph it serves
 * (its pools and breakers outlive a supergraph update). A fetch passes, outermost first:
 *
 * 0. metrics, when observed (the fetch as the data source sees it),
 * 1. the subgraph's circuit breaker (an open one fails the fetch at once),
 * 2. one retry of a query that failed on the connection before any answer,
 * 3. the fetch timeout and the request's deadline (and the client going away),
 * 4. the request signature,
 * 5. undici, over the origin's keep-alive pool.
 */
export class SubgraphClient {
  readonly send: Send;
  readonly breakers: CircuitBreakers;
  private readonly pools: SubgraphPools;

  constructor(options: SubgraphClientOptions, signer: RequestSigner, logger: Logger, observers?: SubgraphClientObservers) {
    this.pools = new SubgraphPools({ connections: options.connections, keepAliveMs: options.keepAliveMs });
    this.breakers = new CircuitBreakers(options.breaker, logger, observers?.breaker);
    const tracer = serviceTracer('gateway');
    this.send = compose(undiciSend(this.pools), [
      ...(tracer ? [withTracing(tracer)] : []),
      ...(observers ? [withMetrics(observers.fetch)] : []),
      this.breakers.wrap(),
      withRetry(),
      withTimeBounds(options.timeoutMs),
      withSigning(signer, (url) => this.pools.target(url).path),
    ]);
  }

  async close(): Promise<void> {
    this.breakers.close();
    await this.pools.close();
  }
}
