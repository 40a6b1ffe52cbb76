import type { Logger } from '../logger';
import { withTimeout } from '../withTimeout';
import type { DomainEvent } from './DomainEvent';
import type { EventTransport } from './EventTransport';

const PUBLISH_TIMEOUT_MS = 10_000;

/** Where a service's outbox lives: events written with the changes, not yet published. */
export interface OutboxSource {
  /** Up to `limit` unpublished events, oldest first. */
  pending(limit: number): Promise<DomainEvent[]>;
  /** Forgets events the transport has confirmed; returns how many it could forget now. */
  markPublished(ids: readonly string[]): Promise<number>;
  /** How many events wait, and when the oldest of them happened (null: none), for metrics. */
  backlog(): Promise<{ depth: number; oldestAt: Date | null }>;
}

export interface RelayOptions {
  intervalMs?: number;
  batchSize?: number;
  /** Told how many events each batch published (metrics). */
  onPublished?: (count: number) => void;
}

/**
 * Moves a service's outbox to the transport: read pending events, publish (confirmed), then mark
 * them published. A crash between publishing and marking publishes them again (at least once:
 * consumers are idempotent); a crash before publishing loses nothing, the next pass resumes. While
 * the transport is down the events wait in the outbox and each pass tries again.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly source: OutboxSource,
    private readonly transport: EventTransport,
    private readonly logger: Logger,
    private readonly options: RelayOptions = {},
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.relayAll()
        .catch((error: unknown) => this.logger.warn('outbox relay: will retry', error))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs ?? 200);
        });
    };
    tick();
  }

  /** Publishes everything pending now; returns how many events went out. */
  async relayAll(): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const events = await this.source.pending(this.options.batchSize ?? 100);
      if (events.length === 0) return total;
      // A broker that never confirms (blocked, half-open socket) must not hold the relay forever.
      await withTimeout(this.transport.publish(events), PUBLISH_TIMEOUT_MS, 'publishing the outbox timed out');
      this.options.onPublished?.(events.length);
      const removed = await this.source.markPublished(events.map((event) => event.id));
      total += events.length;
      // Nothing could be removed (a writer kept changing the documents): the next pass tries again,
      // rather than publishing the same events again and again right away.
      if (removed === 0) return total;
    }
    return total;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
