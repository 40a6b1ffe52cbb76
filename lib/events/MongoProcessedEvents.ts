import { Schema, type Connection, type Model } from 'mongoose';
import { insertUnlessPresent } from '../mongo';
import type { DomainEvent } from './DomainEvent';

interface ProcessedEventDocument {
  _id: string;
  type: string;
  processedAt: Date;
}

const processedEventSchema = new Schema<ProcessedEventDocument>(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    processedAt: { type: Date, required: true },
  },
  { collection: 'processed_events', versionKey: false },
);

/**
 * The events a MongoDB service has handled. Without multi-document transactions (FerretDB) the
 * record cannot commit with the effect, so MongoDB consumers make their effects idempotent (applying
 * one twice changes nothing) and remember the event after it: a crash in between reapplies a no-op.
 */
export class MongoProcessedEvents {
  private readonly events: Model<ProcessedEventDocument>;

  constructor(connection: Connection) {
    this.events = connection.model<ProcessedEventDocument>('ProcessedEvent', processedEventSchema);
  }

  async init(): Promise<void> {
    await this.events.createIndexes();
  }

  async has(eventId: string): Promise<boolean> {
    return (await this.events.exists({ _id: eventId })) !== null;
  }

  async remember(event: Pick<DomainEvent, 'id' | 'type'>): Promise<void> {
    await insertUnlessPresent(this.events, { _id: event.id, type: event.type, processedAt: new Date() });
  }

  /** Runs the (idempotent) effect unless the event was handled already; false when it was. */
  async once(event: Pick<DomainEvent, 'id' | 'type'>, effect: () => Promise<unknown>): Promise<boolean> {
    if (await this.has(event.id)) return false;
    await effect();
    await this.remember(event);
    return true;
  }
}
