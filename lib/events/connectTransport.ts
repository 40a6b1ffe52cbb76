import { cleanEnv, str, url } from 'envalid';
import type { Logger } from '../logger';
import type { EventTransport } from './EventTransport';
import { CONSUMERS } from './topology';
import { ReconnectingTransport } from './ReconnectingTransport';

export interface EventsConfig {
  /** RabbitMQ (production). */
  amqpUrl?: string;
  /** A PostgreSQL database used as the event log where there is no broker (npm start). */
  databaseUrl?: string;
}

export function eventsEnv(environment: NodeJS.ProcessEnv = process.env): EventsConfig {
  const env = cleanEnv(environment, {
    AMQP_URL: str({ default: undefined, desc: 'RabbitMQ URL (amqp://...) that domain events travel through' }),
    EVENTS_DATABASE_URL: url({ default: undefined, desc: 'PostgreSQL database that carries domain events where there is no broker' }),
  });
  return { amqpUrl: env.AMQP_URL, databaseUrl: env.EVENTS_DATABASE_URL };
}

/**
 * The configured transport (RabbitMQ first), or null when neither is configured. Each is loaded
 * only when configured: a process keeps no AMQP or PostgreSQL driver it does not use.
 */
export async function connectTransport(config: EventsConfig, logger: Logger): Promise<EventTransport | null> {
  if (config.amqpUrl) {
    const url = config.amqpUrl;
    const { RabbitMqTransport } = require('./RabbitMqTransport') as typeof import('./RabbitMqTransport');
    // The service starts and serves with the broker down: events wait in the outbox meanwhile.
    return new ReconnectingTransport(() => RabbitMqTransport.connect(url, { logger, consumers: CONSUMERS }), logger);
  }
  if (config.databaseUrl) {
    const { PostgresTransport } = require('./PostgresTransport') as typeof import('./PostgresTransport');
    return PostgresTransport.connect(config.databaseUrl, { logger });
  }
  logger.warn('no AMQP_URL or EVENTS_DATABASE_URL: domain events stay in the outbox until one is configured');
  return null;
}

/**
 * Builds a service process's subgraph with the transport its environment configures (AMQP_URL,
 * EVENTS_DATABASE_URL); closing the subgraph closes the transport too.
 */
export async function withConfiguredTransport<T extends { close(): Promise<void> }>(
  logger: Logger,
  build: (events: EventTransport | undefined) => Promise<T>,
): Promise<T> {
  const events = await connectTransport(eventsEnv(), logger);
  try {
    return closingTransport(await build(events ?? undefined), events);
  } catch (error) {
    await events?.close();
    throw error;
  }
}

/** Makes `subgraph.close` also close the transport it was given (the process owns both). */
function closingTransport<T extends { close(): Promise<void> }>(subgraph: T, transport: EventTransport | null): T {
  const close = subgraph.close.bind(subgraph);
  return Object.assign(subgraph, {
    close: async () => {
      await close();
      await transport?.close();
    },
  });
}
