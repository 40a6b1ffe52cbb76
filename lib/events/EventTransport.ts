import type { DomainEvent } from './DomainEvent';

/** Which delivery of an event a handler is given (for metrics: a failure at the last attempt is a dead letter). */
export interface Delivery {
  /** 1 for the first delivery. */
  attempt: number;
  maxAttempts: number;
}

export type EventHandler = (event: DomainEvent, delivery?: Delivery) => Promise<void>;

export interface SubscribeOptions {
  /** Deliveries of one event before it is given up on and dead-lettered (with the last error). */
  maxAttempts?: number;
}

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * Carries domain events between services: RabbitMQ in production (./RabbitMqTransport.ts), a
 * PostgreSQL table where no broker is configured (./PostgresTransport.ts), with the same promises:
 * - `publish` resolves only once the transport holds every event durably (publisher confirms);
 * - each consumer (by name) gets every event of its types at least once, in its own durable queue,
 *   acknowledged only after its handler succeeded;
 * - a handler that throws gets the event again, up to `maxAttempts`, then the event is
 *   dead-lettered with the reason and not retried forever.
 */
export interface EventTransport {
  publish(events: readonly DomainEvent[]): Promise<void>;
  subscribe(consumer: string, types: readonly string[], handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Events dead-lettered for a consumer, with why (for operators and tests). */
  deadLetters(consumer: string): Promise<{ event: DomainEvent; reason: string }[]>;
  /**
   * When the oldest event of `types` the consumer has not finished happened (null: none), where
   * the transport can tell (the PostgreSQL log can; a broker queue cannot be read without taking).
   */
  oldestUnfinished?(consumer: string, types: readonly string[]): Promise<Date | null>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** An error's message, for a dead letter's reason and for log lines. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * How long a failed delivery waits before its next attempt: 0.5 s, 1 s, 2 s, 4 s... at most 10 s,
 * so a dependency that is down for a few seconds does not use up every attempt at once.
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** (attempt - 1));
}
