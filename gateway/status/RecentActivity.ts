import type { BreakerState } from '../client/CircuitBreakers';

/** The status page's window: this many buckets of `BUCKET_SECONDS` (10 minutes). */
export const BUCKET_SECONDS = 10;
const BUCKETS = 60;
/** Latencies kept per bucket for its percentiles (a uniform sample beyond that). */
const SAMPLES_PER_BUCKET = 500;
/** Slowest operations listed. */
const SLOWEST = 15;

const BREAKER_LEVEL: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

interface Bucket {
  start: number;
  count: number;
  failures: number;
  samples: number[];
  /** The worst breaker state seen within the bucket (0 closed, 1 half-open, 2 open). */
  breaker: number;
}

/** One point of a chart: a bucket's request rate (per second), p50/p99 (ms) and error rate (0..1). */
export interface SeriesPoint {
  at: string;
  rate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
  breaker?: number;
}

export interface SlowOperation {
  operation: string;
  durationMs: number;
  at: string;
  outcome: string;
  requestId: string;
  /** The request's trace id, when tracing put one in its context. */
  traceId: string | null;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/** A rolling window of fixed-time buckets: counts, failures and a latency sample each. */
class Window {
  private readonly buckets: Bucket[] = [];
  private lastBreaker = 0;

  record(seconds: number, failed: boolean, now = Date.now()): void {
    const bucket = this.current(now);
    bucket.count++;
    if (failed) bucket.failures++;
    if (bucket.samples.length < SAMPLES_PER_BUCKET) bucket.samples.push(seconds * 1000);
    else {
      const slot = Math.floor(Math.random() * bucket.count);
      if (slot < SAMPLES_PER_BUCKET) bucket.samples[slot] = seconds * 1000;
    }
  }

  breaker(state: BreakerState, now = Date.now()): void {
    this.lastBreaker = BREAKER_LEVEL[state];
    const bucket = this.current(now);
    bucket.breaker = Math.max(bucket.breaker, this.lastBreaker);
  }

  series(withBreaker: boolean, now = Date.now()): SeriesPoint[] {
    this.current(now);
    const first = this.bucketStart(now) - (BUCKETS - 1) * BUCKET_SECONDS * 1000;
    const byStart = new Map(this.buckets.map((bucket) => [bucket.start, bucket]));
    const points: SeriesPoint[] = [];
    for (let start = first; start <= this.bucketStart(now); start += BUCKET_SECONDS * 1000) {
      const bucket = byStart.get(start);
      const sorted = [...(bucket?.samples ?? [])].sort((a, b) => a - b);
      const count = bucket?.count ?? 0;
      points.push({
        at: new Date(start).toISOString(),
        rate: count / BUCKET_SECONDS,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        errorRate: count > 0 ? (bucket!.failures / count) : null,
        ...(withBreaker ? { breaker: bucket ? bucket.breaker : this.lastBreaker } : {}),
      });
    }
    return points;
  }

  private bucketStart(now: number): number {
    return now - (now % (BUCKET_SECONDS * 1000));
  }

  private current(now: number): Bucket {
    const start = this.bucketStart(now);
    let bucket = this.buckets[this.buckets.length - 1];
    if (!bucket || bucket.start !== start) {
      // A new bucket starts in the state the breaker is in now.
      bucket = { start, count: 0, failures: 0, samples: [], breaker: this.lastBreaker };
      this.buckets.push(bucket);
      while (this.buckets.length > BUCKETS) this.buckets.shift();
    }
    return bucket;
  }
}

/**
 * What the status page charts, kept in memory for the last 10 minutes: the gateway's requests,
 * each subgraph's fetches and breaker, and the slowest operations.
 */
export class RecentActivity {
  private readonly requests = new Window();
  private readonly subgraphs = new Map<string, Window>();
  private readonly breakers = new Map<string, BreakerState>();
  private slow: (SlowOperation & { time: number })[] = [];

  request(operation: string, seconds: number, outcome: string, requestId: string, traceId: string | null): void {
    const now = Date.now();
    this.requests.record(seconds, outcome === 'server_error' || outcome === 'partial', now);
    const horizon = now - BUCKETS * BUCKET_SECONDS * 1000;
    this.slow = this.slow.filter((entry) => entry.time >= horizon);
    const durationMs = seconds * 1000;
    if (this.slow.length >= SLOWEST && durationMs <= this.slow[this.slow.length - 1]!.durationMs) return;
    this.slow.push({ operation, durationMs, at: new Date(now).toISOString(), outcome, requestId, traceId, time: now });
    this.slow.sort((a, b) => b.durationMs - a.durationMs);
    this.slow.length = Math.min(this.slow.length, SLOWEST);
  }

  fetch(subgraph: string, seconds: number, failed: boolean): void {
    this.windowOf(subgraph).record(seconds, failed);
  }

  breaker(subgraph: string, state: BreakerState): void {
    this.breakers.set(subgraph, state);
    this.windowOf(subgraph).breaker(state);
  }

  gatewaySeries(): SeriesPoint[] {
    return this.requests.series(false);
  }

  subgraphSeries(subgraph: string): SeriesPoint[] {
    return this.windowOf(subgraph).series(true);
  }

  breakerState(subgraph: string): BreakerState {
    return this.breakers.get(subgraph) ?? 'closed';
  }

  slowest(): SlowOperation[] {
    return this.slow.map(({ time: _time, ...entry }) => entry);
  }

  private windowOf(subgraph: string): Window {
    let window = this.subgraphs.get(subgraph);
    if (!window) {
      window = new Window();
      this.subgraphs.set(subgraph, window);
    }
    return window;
  }
}
