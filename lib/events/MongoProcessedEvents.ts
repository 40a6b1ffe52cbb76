import { Schema, type Connection, type Model } from 'mongoose';
import { insertUnlessPresent } from '../mongo';
import type { DomainEvent } from './DomainEvent';
import type { MoveAdapter } from '../storeMove/types';

/** A handled event as a store move copies it: written once, never changed. */
export interface ProcessedEventRecord {
  id: string;
  type: string;
  processedAt: Date;
}

const toRecord = (doc: ProcessedEventDocument): ProcessedEventRecord => ({ id: doc._id, type: doc.type, processedAt: doc.processedAt });

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

  /** The handled events as a store move copies them; putIfNewer inserts those absent (they never change). */
  moveAdapter(): MoveAdapter<ProcessedEventRecord> {
    return {
      scan: async (afterId, limit) => (await this.events.find(afterId ? { _id: { $gt: afterId } } : {}).sort({ _id: 1 }).limit(limit).lean<ProcessedEventDocument[]>()).map(toRecord),
      get: async (ids) => (await this.events.find({ _id: { $in: [...ids] } }).lean<ProcessedEventDocument[]>()).map(toRecord),
      count: () => this.events.countDocuments({}),
      putIfNewer: async (records) => {
        const inserted = await Promise.all(records.map((r) => insertUnlessPresent(this.events, { _id: r.id, type: r.type, processedAt: r.processedAt })));
        return inserted.filter(Boolean).length;
      },
    };
  }

  /** Runs the (idempotent) effect unless the event was handled already; false when it was. */
  async once(event: Pick<DomainEvent, 'id' | 'type'>, effect: () => Promise<unknown>): Promise<boolean> {
    if (await this.has(event.id)) return false;
    await effect();
    await this.remember(event);
    return true;
  }
}
