import CircuitBreaker from 'opossum';
import type { Logger } from '../../lib/logger';
import { SubgraphFailure, type FailureReason, type Send, type SendWrapper, type SubgraphRequest, type SubgraphResponse } from './types';

export interface BreakerOptions {
  /** Percentage of failed fetches within the window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Fewest fetches within the window before the breaker may open at all. */
  volumeThreshold: number;
  /** The rolling window failures are counted over, ms. */
  windowMs: number;
  /** How long an open breaker answers at once before it lets one probe through (half-open), ms. */
  resetMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';
/** Told when a subgraph's breaker is made (closed) and each time its state changes. */
export type BreakerObserver = (subgraph: string, state: BreakerState) => void;

/**
 * Failures that say the subgraph is unwell. A client that went away or a request whose overall
 * deadline ran out (other subgraphs may have used it up) says nothing about this one.
 */
const COUNTED: ReadonlySet<FailureReason> = new Set(['timeout', 'connection', 'server-error', 'bad-response']);

/**
 * One opossum circuit breaker per subgraph (by name), kept across supergraph updates. A subgraph
 * whose fetches keep failing is not called for `resetMs`: its fetches fail at once
 * (`circuit-open`, which the data source answers as SERVICE_UNAVAILABLE at its fields). Then one
 * fetch probes it (half-open; the others still fail at once): success closes the breaker, failure
 * opens it again. opossum's own timeout is off: `withTimeBounds` bounds every fetch.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[SubgraphRequest, Send], SubgraphResponse>>();

  constructor(
    private readonly options: BreakerOptions,
    private readonly logger: Logger,
    private readonly observe: BreakerObserver = () => undefined,
  ) {}

  wrap(): SendWrapper {
    return (next) => (request) => {
      const breaker = this.breakerFor(request.subgraph);
      // Checked here rather than left to opossum, which builds an Error (with its stack) for every
      // call it rejects while open.
      if (breaker.opened || (breaker.halfOpen && !breaker.pendingClose)) {
        return Promise.reject(new SubgraphFailure('circuit-open', request.subgraph, true));
      }
      return breaker.fire(request, next);
    };
  }

  /** The breaker's state, for tests and logs. */
  state(subgraph: string): BreakerState | undefined {
    const breaker = this.breakers.get(subgraph);
    if (!breaker) return undefined;
    return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Stops the breakers' timers. */
  close(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breakerFor(subgraph: string): CircuitBreaker<[SubgraphRequest, Send], SubgraphResponse> {
    let breaker = this.breakers.get(subgraph);
    if (!breaker) {
      breaker = new CircuitBreaker<[SubgraphRequest, Send], SubgraphResponse>((request, send) => send(request), {
        timeout: false,
        errorThresholdPercentage: this.options.errorThresholdPercentage,
        volumeThreshold: this.options.volumeThreshold,
        rollingCountTimeout: this.options.windowMs,
        resetTimeout: this.options.resetMs,
        // true: not the subgraph's failure (opossum then counts the call as a success).
        errorFilter: (failure: unknown) => failure instanceof SubgraphFailure && !COUNTED.has(failure.reason),
      });
      breaker.on('open', () => {
        this.logger.warn(`subgraph ${subgraph}: circuit open, answering its fields as unavailable for ${this.options.resetMs} ms`);
        this.observe(subgraph, 'open');
      });
      breaker.on('halfOpen', () => {
        this.logger.info(`subgraph ${subgraph}: circuit half-open, probing`);
        this.observe(subgraph, 'half-open');
      });
      breaker.on('close', () => {
        this.logger.info(`subgraph ${subgraph}: circuit closed, it answers again`);
        this.observe(subgraph, 'closed');
      });
      this.breakers.set(subgraph, breaker);
      this.observe(subgraph, 'closed');
    }
    return breaker;
  }
}
