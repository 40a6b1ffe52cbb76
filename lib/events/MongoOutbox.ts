import { Schema, type Model } from 'mongoose';
import { KeyedQueue } from '../KeyedQueue';
import type { DomainEvent } from './DomainEvent';
import type { OutboxSource } from './OutboxRelay';

/**
 * The outbox of a MongoDB service lives inside the document that changed: the events are written
 * by the same single-document write as the change, which is atomic on MongoDB and on FerretDB
 * alike (FerretDB has no multi-document transactions). `hasOutbox` marks documents to relay.
 */
export interface WithOutbox {
  outbox?: DomainEvent[];
  hasOutbox?: boolean;
}

export const outboxFields = {
  outbox: { type: [Schema.Types.Mixed], default: undefined },
  hasOutbox: { type: Boolean, default: undefined },
};

/** What to add to a new document so its events leave with it. */
export function withEvents(...events: DomainEvent[]): WithOutbox {
  return events.length > 0 ? { outbox: events, hasOutbox: true } : {};
}

export class MongoOutbox<TDocument extends WithOutbox & { _id: string }> implements OutboxSource {
  /**
   * @param writes the queue every writer of these documents goes through (on FerretDB an update
   * is an unlocked read-modify-write: the relay must not overwrite a concurrent change).
   */
  constructor(
    private readonly model: Model<TDocument>,
    private readonly writes: KeyedQueue,
  ) {}

  async pending(limit: number): Promise<DomainEvent[]> {
    const docs = await this.model
      .find({ hasOutbox: true } as never, { outbox: 1 })
      .sort({ updatedAt: 1, _id: 1 })
      .limit(limit)
      .lean<{ _id: string; outbox?: DomainEvent[] }[]>();
    return docs.flatMap((doc) => doc.outbox ?? []).slice(0, limit);
  }

  /** Removes published events from their documents (read, filter, set: one document at a time). */
  async markPublished(ids: readonly string[]): Promise<void> {
    const published = new Set(ids);
    const docs = await this.model
      .find({ hasOutbox: true, 'outbox.id': { $in: [...published] } } as never, { _id: 1 })
      .lean<{ _id: string }[]>();
    await Promise.all(
      docs.map(({ _id }) =>
        this.writes.run(_id, async () => {
          const doc = await this.model.findOne({ _id } as never, { outbox: 1 }).lean<{ outbox?: DomainEvent[] }>();
          const remaining = (doc?.outbox ?? []).filter((event) => !published.has(event.id));
          await this.model.updateOne(
            { _id } as never,
            remaining.length > 0 ? { $set: { outbox: remaining } } : { $unset: { outbox: 1, hasOutbox: 1 } },
            // Relaying is not a change of the document: its updatedAt stays.
            { timestamps: false },
          );
        }),
      ),
    );
  }
}
