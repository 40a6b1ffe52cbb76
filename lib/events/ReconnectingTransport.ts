import type { Logger } from '../logger';
import type { DomainEvent } from './DomainEvent';
import type { EventHandler, EventTransport, SubscribeOptions, Subscription } from './EventTransport';

/** A transport that can tell when its connection is gone (RabbitMqTransport). */
export interface LosableTransport extends EventTransport {
  readonly lost: Promise<string>;
}

interface SubscriptionSpec {
  consumer: string;
  types: readonly string[];
  handler: EventHandler;
  options?: SubscribeOptions;
  active: Subscription | null;
}

/**
 * Keeps a broker connection for a service whose broker may be down: a service starts and serves
 * without it (its events wait in the outbox: `publish` rejects and the relay tries again), and when
 * the connection is lost it connects again every `retryMs` and re-subscribes its consumers, so
 * events published meanwhile are delivered once the broker is back.
 */
export class ReconnectingTransport implements EventTransport {
  private transport: LosableTransport | null = null;
  private connecting: Promise<LosableTransport> | null = null;
  private readonly specs = new Set<SubscriptionSpec>();
  private retryTimer: NodeJS.Timeout | null = null;
  private lastError: unknown = null;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<LosableTransport>,
    private readonly logger: Logger,
    private readonly retryMs = 1_000,
  ) {
    void this.current().catch(() => undefined);
  }

  private current(): Promise<LosableTransport> {
    if (this.closed) return Promise.reject(new Error('the event transport is closed'));
    if (this.transport) return Promise.resolve(this.transport);
    // Between attempts, fail at once: callers (the relay) try again later; no connect storm.
    if (this.retryTimer) return Promise.reject(new Error(`the event broker is unreachable: ${String((this.lastError as Error)?.message ?? this.lastError)}`));
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<LosableTransport> {
    let transport: LosableTransport;
    try {
      transport = await this.connect();
    } catch (error) {
      if (!this.lastError) this.logger.warn('event broker unreachable; retrying until it answers', error);
      this.lastError = error;
      this.scheduleReconnect();
      throw error;
    }
    this.lastError = null;
    try {
      for (const spec of this.specs) spec.active = await transport.subscribe(spec.consumer, spec.types, spec.handler, spec.options);
    } catch (error) {
      await transport.close().catch(() => undefined);
      this.scheduleReconnect();
      throw error;
    }
    this.transport = transport;
    void transport.lost.then((why) => {
      if (this.transport !== transport) return;
      this.transport = null;
      // Whatever part of it still runs (a connection whose channel failed) must not keep consuming.
      void transport.close().catch(() => undefined);
      for (const spec of this.specs) spec.active = null;
      if (!this.closed) {
        this.logger.warn(`event broker connection lost (${why}); reconnecting`);
        this.scheduleReconnect();
      }
    });
    return transport;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.current().catch(() => undefined);
    }, this.retryMs);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    await (await this.current()).publish(events);
  }

  async subscribe(consumer: string, types: readonly string[], handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    const spec: SubscriptionSpec = { consumer, types, handler, options, active: null };
    this.specs.add(spec);
    if (this.transport) spec.active = await this.transport.subscribe(consumer, types, handler, options);
    return {
      stop: async () => {
        this.specs.delete(spec);
        await spec.active?.stop();
      },
    };
  }

  async oldestUnfinished(consumer: string, types: readonly string[]): Promise<Date | null> {
    const transport = await this.current();
    return transport.oldestUnfinished ? transport.oldestUnfinished(consumer, types) : null;
  }

  async deadLetters(consumer: string): Promise<{ event: DomainEvent; reason: string }[]> {
    return (await this.current()).deadLetters(consumer);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    await this.transport?.close();
    this.transport = null;
  }
}
