import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import { createLogger, type Logger } from '../logger';
import type { DomainEvent } from './DomainEvent';
import { DEFAULT_MAX_ATTEMPTS, reasonOf, retryDelayMs, type EventHandler, type EventTransport, type SubscribeOptions, type Subscription } from './EventTransport';

/** The one exchange every service publishes to; the event type is the routing key. */
export const EXCHANGE = 'schemaflow.events';

export function queueOf(consumer: string): string {
  return `schemaflow.${consumer}`;
}

export function deadLetterQueueOf(consumer: string): string {
  return `schemaflow.${consumer}.dead`;
}

/** Deliveries so far of a message this transport republished after a failure. */
const ATTEMPTS_HEADER = 'x-attempts';
/** Why a dead-lettered message was given up on (the handler's last error). */
const REASON_HEADER = 'x-death-reason';

/**
 * How many unacknowledged messages a consumer holds at once, i.e. how many handlers of one
 * consumer may run concurrently in this process.
 */
const PREFETCH = 10;

export interface RabbitMqOptions {
  logger?: Logger;
  /** How long connecting may take before it fails (an unreachable host otherwise hangs for minutes). */
  connectTimeoutMs?: number;
  /** Consumer queues (and their bindings) to declare at once, before anything is published (see ./topology.ts). */
  consumers?: Readonly<Record<string, readonly string[]>>;
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<malformed url>';
  }
}


/** A dead letter's event; one that was not even JSON (dead-lettered for that) is shown as its raw text. */
function parseOrRaw(content: Buffer, messageId: unknown): DomainEvent {
  const text = content.toString('utf8');
  try {
    return JSON.parse(text) as DomainEvent;
  } catch {
    return { id: typeof messageId === 'string' ? messageId : '', type: '', occurredAt: '', source: '', payload: { raw: text } };
  }
}

/** Publishes on a confirm channel; resolves once the broker confirmed (or rejects when it nacked or the channel closed). */
function confirmedPublish(channel: ConfirmChannel, send: (callback: (error: unknown) => void) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // The return value only says the socket buffer is full; the callback still comes.
    send((error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
  });
}

/**
 * The production transport (see ./EventTransport.ts for the promises it keeps), on RabbitMQ:
 * - one durable topic exchange `schemaflow.events`, routing key = event type;
 * - per consumer a durable queue `schemaflow.<consumer>` bound to its event types, declared by
 *   `subscribe`: events published before a consumer's first `subscribe` are not kept for it
 *   (deployments declare consumers before publishers start; the outbox makes that harmless at start);
 * - persistent messages published on a confirm channel: `publish` resolves only after the broker
 *   confirmed every message, and rejects when the connection is gone, so the outbox keeps them;
 * - manual acks: a message is acked after its handler succeeded. A failed one is republished to
 *   the tail of the consumer's queue (default exchange) with `x-attempts` incremented, confirmed,
 *   then the original is acked; at `maxAttempts` it goes to the durable `schemaflow.<consumer>.dead`
 *   with `x-death-reason`. (RabbitMQ's own dead-lettering cannot count failures on a classic queue
 *   nor carry the handler's error, hence this.)
 * Once the connection is lost every call rejects and `lost` resolves; ./ReconnectingTransport.ts
 * connects again and re-subscribes.
 */
export class RabbitMqTransport implements EventTransport {
  private closedBecause: string | null = null;
  private readonly subscriptions = new Set<Subscription>();
  private markLost: (why: string) => void = () => undefined;
  /** Resolves (with why) when the connection is lost or closed. */
  readonly lost: Promise<string> = new Promise((resolve) => {
    this.markLost = resolve;
  });

  private constructor(
    private readonly model: ChannelModel,
    private readonly publishing: ConfirmChannel,
    private readonly logger: Logger,
  ) {
    const lost = (why: string) => {
      this.closedBecause ??= why;
      this.markLost(why);
    };
    model.on('error', (error: unknown) => {
      lost(`RabbitMQ connection failed: ${reasonOf(error)}`);
      logger.warn('RabbitMQ connection error', error);
    });
    model.on('close', () => lost('RabbitMQ connection is closed'));
    publishing.on('error', (error: unknown) => logger.warn('RabbitMQ publishing channel error', error));
    publishing.on('close', () => lost('RabbitMQ publishing channel is closed'));
  }

  /** Connects, declares the exchange; rejects quickly with the (password-free) URL when the broker cannot be reached. */
  static async connect(url: string, options: RabbitMqOptions = {}): Promise<RabbitMqTransport> {
    const logger = options.logger ?? createLogger('events');
    let model: ChannelModel;
    try {
      model = await connect(url, { timeout: options.connectTimeoutMs ?? 5000 });
    } catch (error) {
      throw new Error(`cannot connect to RabbitMQ at ${redact(url)}: ${reasonOf(error) || 'connection refused or timed out'}`, { cause: error });
    }
    try {
      const publishing = await model.createConfirmChannel();
      await publishing.assertExchange(EXCHANGE, 'topic', { durable: true });
      for (const [consumer, types] of Object.entries(options.consumers ?? {})) {
        await publishing.assertQueue(queueOf(consumer), { durable: true });
        await publishing.assertQueue(deadLetterQueueOf(consumer), { durable: true });
        for (const type of types) await publishing.bindQueue(queueOf(consumer), EXCHANGE, type);
      }
      return new RabbitMqTransport(model, publishing, logger);
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  private ensureOpen(): void {
    if (this.closedBecause) throw new Error(`${this.closedBecause}; events not published`);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.ensureOpen();
    const confirms = events.map((event) =>
      confirmedPublish(this.publishing, (callback) =>
        this.publishing.publish(EXCHANGE, event.type, Buffer.from(JSON.stringify(event)), this.properties(event), callback),
      ),
    );
    try {
      await Promise.all(confirms);
    } catch (error) {
      throw new Error(`RabbitMQ did not confirm the events: ${this.closedBecause ?? reasonOf(error)}`, { cause: error });
    }
  }

  private properties(event: DomainEvent, headers: Record<string, unknown> = {}): Options.Publish {
    return {
      persistent: true,
      contentType: 'application/json',
      messageId: event.id,
      type: event.type,
      appId: event.source,
      headers,
    };
  }

  async subscribe(consumer: string, types: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    this.ensureOpen();
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const queue = queueOf(consumer);
    const dead = deadLetterQueueOf(consumer);
    // A confirm channel here too: a failed message is acked only once its retry copy is safe.
    const channel = await this.model.createConfirmChannel();
    channel.on('error', (error: unknown) => this.logger.warn(`RabbitMQ channel of consumer ${consumer} failed`, error));
    // A consumer channel that closes while the connection stays up would silently stop deliveries.
    channel.on('close', () => {
      if (!stopped) this.markLost(`RabbitMQ channel of consumer ${consumer} closed`);
    });
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.assertQueue(dead, { durable: true });
    for (const type of types) await channel.bindQueue(queue, EXCHANGE, type);
    await channel.prefetch(PREFETCH);

    const inFlight = new Set<Promise<void>>();
    let stopped = false;
    const deliver = async (message: ConsumeMessage) => {
      const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
      const attempt = (Number(headers[ATTEMPTS_HEADER]) || 0) + 1;
      let event: DomainEvent;
      try {
        event = JSON.parse(message.content.toString('utf8')) as DomainEvent;
      } catch (error) {
        await this.deadLetter(channel, dead, message, attempt, `malformed message: ${reasonOf(error)}`);
        return;
      }
      try {
        await handler(event, { attempt, maxAttempts });
        channel.ack(message);
      } catch (error) {
        if (attempt >= maxAttempts) {
          await this.deadLetter(channel, dead, message, attempt, reasonOf(error));
        } else {
          // Back off before the next try (the message stays unacked meanwhile), so a dependency
          // that is down for a few seconds does not use up every attempt at once.
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
          await confirmedPublish(channel, (callback) =>
            channel.sendToQueue(queue, message.content, { ...this.properties(event, { ...headers, [ATTEMPTS_HEADER]: attempt }) }, callback),
          );
          channel.ack(message);
        }
      }
    };
    const { consumerTag } = await channel.consume(
      queue,
      (message) => {
        if (!message) {
          // The broker cancelled the consumer (queue deleted, failover): reconnect rather than go quiet.
          if (!stopped) this.markLost(`RabbitMQ cancelled consumer ${consumer}`);
          return;
        }
        const running = deliver(message)
          // The channel is gone (broker down): unacked messages go back to the queue by themselves.
          .catch((error: unknown) => this.logger.warn(`consumer ${consumer}: could not settle a message; the broker redelivers it`, error))
          .finally(() => inFlight.delete(running));
        inFlight.add(running);
      },
      { noAck: false },
    );

    const subscription: Subscription = {
      stop: async () => {
        if (stopped) return;
        stopped = true;
        this.subscriptions.delete(subscription);
        await channel.cancel(consumerTag).catch(() => undefined);
        await Promise.all(inFlight);
        await channel.close().catch(() => undefined);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private async deadLetter(channel: ConfirmChannel, dead: string, message: ConsumeMessage, attempts: number, reason: string): Promise<void> {
    await confirmedPublish(channel, (callback) =>
      channel.sendToQueue(
        dead,
        message.content,
        {
          ...message.properties,
          persistent: true,
          headers: { ...message.properties.headers, [ATTEMPTS_HEADER]: attempts, [REASON_HEADER]: reason },
        },
        callback,
      ),
    );
    channel.ack(message);
  }

  /**
   * Reads the dead-letter queue without consuming it: every message is fetched unacked, then all
   * are returned to the queue (so concurrent readers may briefly see fewer).
   */
  async deadLetters(consumer: string): Promise<{ event: DomainEvent; reason: string }[]> {
    this.ensureOpen();
    const channel: Channel = await this.model.createChannel();
    channel.on('error', (error: unknown) => this.logger.warn('RabbitMQ channel error (dead letters)', error));
    try {
      const dead = deadLetterQueueOf(consumer);
      await channel.assertQueue(dead, { durable: true });
      const found: { event: DomainEvent; reason: string }[] = [];
      for (;;) {
        const message = await channel.get(dead, { noAck: false });
        if (!message) break;
        const reason = message.properties.headers?.[REASON_HEADER];
        found.push({ event: parseOrRaw(message.content, message.properties.messageId), reason: typeof reason === 'string' ? reason : String(reason ?? '') });
      }
      channel.nackAll(true);
      return found;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    for (const subscription of [...this.subscriptions]) await subscription.stop();
    this.closedBecause ??= 'RabbitMQ transport is closed';
    await this.model.close().catch(() => undefined);
  }
}
