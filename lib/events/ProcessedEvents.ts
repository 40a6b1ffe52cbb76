import type { DomainEvent } from './DomainEvent';

/** The events a service has handled, so that a redelivered one changes nothing (MongoProcessedEvents, PrismaProcessedEvents). */
export interface ProcessedEvents {
  /** Runs the (idempotent) effect unless the event was handled already; false when it was. */
  once(event: Pick<DomainEvent, 'id' | 'type'>, effect: () => Promise<unknown>): Promise<boolean>;
}
