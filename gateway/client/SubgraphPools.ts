import { Pool } from 'undici';

export interface PoolOptions {
  /** Most connections open to one subgraph origin; requests beyond them wait in the pool's queue. */
  connections: number;
  /**
   * How long an idle connection is kept for reuse. Must stay below the subgraphs' own keep-alive
   * timeout (lib/httpServer.ts SERVER_KEEP_ALIVE_MS, 30 s), so the gateway closes an idle socket
   * before the subgraph can: a socket the other side may have closed is never reused. A server's
   * `Keep-Alive: timeout=N` hint lowers it further (to N minus 1 s).
   */
  keepAliveMs: number;
}

/** One pooled keep-alive undici `Pool` per subgraph origin, shared by every supergraph the gateway serves. */
export class SubgraphPools {
  private readonly pools = new Map<string, Pool>();
  /** Parsed once per URL: the hot path does a map lookup, not a URL parse. */
  private readonly targets = new Map<string, { pool: Pool; path: string }>();

  constructor(private readonly options: PoolOptions) {}

  target(url: string): { pool: Pool; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      let pool = this.pools.get(parsed.origin);
      if (!pool) {
        pool = new Pool(parsed.origin, {
          connections: this.options.connections,
          pipelining: 1,
          keepAliveTimeout: this.options.keepAliveMs,
          keepAliveMaxTimeout: this.options.keepAliveMs,
          keepAliveTimeoutThreshold: 1_000,
        });
        this.pools.set(parsed.origin, pool);
      }
      target = { pool, path: `${parsed.pathname}${parsed.search}` };
      this.targets.set(url, target);
    }
    return target;
  }

  /** Closes every pool once its requests are done. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.targets.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
