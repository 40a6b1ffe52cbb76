import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Express } from 'express';
import type { GraphQLError } from 'graphql';
import type { Identity } from '../lib/auth/identity';
import type { Logger } from '../lib/logger';
import { Metrics } from '../lib/metrics/Metrics';
import { requestIdFrom } from '../lib/requestId';
import type { SubgraphClientObservers } from './client/SubgraphClient';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { BoundedLabels } from './metrics/BoundedLabels';
import { GatewayMetrics } from './metrics/gatewayMetrics';
import type { RateLimitState } from './guards/rateLimitHeaders';
import type { RequestRateLimiter } from './guards/RequestRateLimiter';
import { BUCKET_SECONDS, RecentActivity } from './status/RecentActivity';
import { statusRoutes } from './status/statusRoutes';
import { SubgraphWatch } from './status/SubgraphWatch';

/** Metrics, the subgraphs' readiness as the gateway sees it, and the status page (README, "Operations → Metrics"). */
export class Observability {
  readonly metrics = new Metrics();
  private readonly recent = new RecentActivity();
  private readonly operations: BoundedLabels;
  private readonly gatewayMetrics: GatewayMetrics;
  private readonly watch: SubgraphWatch;
  private supergraph: { hash: string | null; loadedAt: string | null } = { hash: null, loadedAt: null };

  constructor(
    private readonly config: GatewayConfig,
    logger: Logger,
  ) {
    this.operations = new BoundedLabels(new Set(), config.observability.operationNames);
    this.gatewayMetrics = new GatewayMetrics(this.metrics, this.operations, this.recent);
    this.watch = new SubgraphWatch(this.metrics, { intervalMs: config.observability.readinessPollMs, readEvents: config.observability.statusPage }, logger);
    this.watch.start();
  }

  /** In safelist mode the operation label is the safelist's names only (any other is `other`). */
  onlyOperations(names: Iterable<string>): void {
    this.operations.restrictTo(new Set(names));
  }

  clientObservers(): SubgraphClientObservers {
    return this.gatewayMetrics.clientObservers();
  }

  plugin(): ApolloServerPlugin<GatewayContext> {
    return this.gatewayMetrics.plugin();
  }

  /** A lookup of a compiled operation by the gateway's own executor (gateway/executor/FastGateway.ts). */
  planLookup(hit: boolean): void {
    this.gatewayMetrics.planLookup(hit);
  }

  planCache(): ReturnType<GatewayMetrics['planCacheStore']> {
    return this.gatewayMetrics.planCacheStore();
  }

  /** A subgraph of the served supergraph, called at `url`: its /ready is polled. */
  trackSubgraph(name: string, url: string): void {
    this.watch.track(name, url);
  }

  /** Remembers which supergraph is served (its SHA-256) and since when. */
  followSupergraph(gateway: ApolloGateway): void {
    gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
      this.supergraph = { hash: createHash('sha256').update(coreSupergraphSdl).digest('hex'), loadedAt: new Date().toISOString() };
    });
  }

  /** The rate limiter's `admit`, counting each decision. */
  countedAdmit(limiter: RequestRateLimiter): (identity: Identity, address: string) => Promise<RateLimitState | null> {
    return async (identity, address) => {
      try {
        const state = await limiter.admit(identity, address);
        if (state) this.gatewayMetrics.rateLimitDecision(identity, false);
        return state;
      } catch (error) {
        if ((error as GraphQLError).extensions?.code === 'RATE_LIMITED') this.gatewayMetrics.rateLimitDecision(identity, true);
        throw error;
      }
    };
  }

  /** The request's context function, counting a request it refuses (401, 429) as Apollo Server never sees it. */
  measureContext<T>(build: (req: IncomingMessage, res: ServerResponse) => Promise<T>): (req: IncomingMessage, res: ServerResponse) => Promise<T> {
    return async (req, res) => {
      const started = performance.now();
      try {
        return await build(req, res);
      } catch (error) {
        const header = req.headers['x-request-id'];
        this.gatewayMetrics.refusedBeforeOperation((performance.now() - started) / 1000, error, requestIdFrom(Array.isArray(header) ? header[0] : header));
        throw error;
      }
    };
  }

  /** A request refused before its body was read (guards/admitAnonymousEarly.ts): counted as one its context refused. */
  refusedEarly(req: IncomingMessage, error: unknown): void {
    const header = req.headers['x-request-id'];
    this.gatewayMetrics.refusedBeforeOperation(0, error, requestIdFrom(Array.isArray(header) ? header[0] : header));
  }

  /** /status and /status.json when the status page is on (STATUS_PAGE). */
  routes(): (app: Express) => void {
    return this.config.observability.statusPage ? statusRoutes(() => this.report()) : () => undefined;
  }

  /** What /status.json answers. */
  report(): unknown {
    const health = this.watch.snapshot();
    return {
      generatedAt: new Date().toISOString(),
      bucketSeconds: BUCKET_SECONDS,
      windowMinutes: 10,
      supergraph: this.supergraph,
      gateway: { series: this.recent.gatewaySeries() },
      subgraphs: [...health].map(([name, state]) => ({
        name,
        ready: state.ready,
        checkedAt: state.checkedAt,
        problem: state.problem,
        breaker: this.recent.breakerState(name),
        series: this.recent.subgraphSeries(name),
        outbox: state.outbox,
        consumers: state.consumers,
      })),
      slowest: this.recent.slowest(),
    };
  }

  async stop(): Promise<void> {
    await this.watch.stop();
  }
}
