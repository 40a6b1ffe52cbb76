import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Identity } from '../../lib/auth/identity';
import type { Logger } from '../../lib/logger';
import type { RateLimits } from './guardsConfig';
import { rateLimitHeaders, type RateLimitState } from './rateLimitHeaders';
import { refuse } from './refuse';

const KINDS = ['anonymous', 'user', 'team'] as const;

/** How long a starting gateway waits for Redis before it counts in memory meanwhile. */
const CONNECT_WAIT_MS = 2_000;

/** Who a caller is for counting: the user, the team token (not the team: each token is a client), or the client address. */
function callerKey(identity: Identity, address: string): string {
  if (identity.kind === 'user') return `user:${identity.userId}`;
  if (identity.kind === 'team') return `token:${identity.tokenId}`;
  return `address:${address}`;
}

/**
 * Counts each caller's requests in a fixed window, per kind of caller, and refuses those over
 * the limit with HTTP 429 (RATE_LIMITED, with `Retry-After`), before the operation is even parsed.
 *
 * In memory (one count per gateway process) unless a Redis URL is given; then every replica
 * counts in the same Redis. When Redis cannot be reached, each replica counts in its own memory
 * meanwhile (rate-limiter-flexible's `insuranceLimiter`), with a warning in the log: clients stay
 * limited, if less tightly (by each replica), rather than unlimited or refused because a
 * counter is away. Commands fail at once while Redis is down (no offline queue), so a request
 * never waits for it.
 */
export class RequestRateLimiter {
  private readonly limiters: Partial<Record<Identity['kind'], RateLimiterAbstract>> = {};
  private readonly redis: Redis | null;
  private redisDown = false;
  private closing = false;

  /**
   * A limiter that counts in Redis from the first request when Redis answers at start: it waits
   * for the connection (at most `CONNECT_WAIT_MS`; a refused connection is known at once).
   */
  static async start(config: RateLimits, logger: Logger): Promise<RequestRateLimiter> {
    const limiter = new RequestRateLimiter(config, logger);
    const redis = limiter.redis;
    if (redis) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, CONNECT_WAIT_MS);
        function done() {
          clearTimeout(timer);
          redis!.off('ready', done).off('error', done);
          resolve();
        }
        redis.once('ready', done).once('error', done);
      });
    }
    return limiter;
  }

  private constructor(
    private readonly config: RateLimits,
    private readonly logger: Logger,
  ) {
    this.redis = config.redisUrl ? this.connect(config.redisUrl) : null;
    for (const kind of KINDS) {
      const points = config.points[kind];
      if (points === 0) continue;
      const options = { points, duration: config.windowSeconds, keyPrefix: `schemaflow:ratelimit:${kind}` };
      this.limiters[kind] = this.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
    }
  }

  private connect(url: string): Redis {
    // Loaded only when configured: a gateway that counts in memory keeps no Redis client.
    const { Redis } = require('ioredis') as typeof import('ioredis');
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    const down = (reason: string) => {
      if (this.redisDown || this.closing) return;
      this.redisDown = true;
      this.logger.warn('rate limits: Redis does not answer; counting in this process until it is back', { reason });
    };
    redis.on('error', (error: Error) => down(error.message));
    redis.on('close', () => down('connection closed'));
    redis.on('ready', () => {
      if (!this.redisDown) return;
      this.redisDown = false;
      this.logger.info('rate limits: Redis is back; counting there again');
    });
    return redis;
  }

  /**
   * Counts one request of this caller: its standing when admitted (null: that kind is not
   * limited), or a RATE_LIMITED error (429) to refuse it with.
   */
  async admit(identity: Identity, address: string): Promise<RateLimitState | null> {
    const limiter = this.limiters[identity.kind];
    if (!limiter) return null;
    const state = (result: RateLimiterRes): RateLimitState => ({
      policy: identity.kind,
      limit: this.config.points[identity.kind],
      remaining: Math.max(0, result.remainingPoints),
      windowSeconds: this.config.windowSeconds,
      resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
    });
    try {
      return state(await limiter.consume(callerKey(identity, address)));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const refused = state(rejection);
        throw refuse('RATE_LIMITED', `too many requests: at most ${refused.limit} per ${refused.windowSeconds} s; try again in ${refused.resetSeconds} s`, {
          status: 429,
          headers: rateLimitHeaders(refused, true),
          extra: { retryAfterSeconds: refused.resetSeconds },
        });
      }
      // Neither the store nor the in-memory insurance could count: let the request through.
      this.logger.warn('rate limits: could not count a request; letting it through', rejection);
      return null;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.redis?.disconnect();
  }
}
