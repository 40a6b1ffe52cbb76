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

/** What to add to an update of a document so its events leave with the change (same single write). */
export function pushEvents(...events: DomainEvent[]): { $push?: { outbox: { $each: DomainEvent[] } }; $set?: { hasOutbox: true } } {
  return events.length > 0 ? { $push: { outbox: { $each: events } }, $set: { hasOutbox: true } } : {};
}

/** Merges an update's own `$set` with `pushEvents`' (both set fields). */
export function updateWithEvents(set: Record<string, unknown>, events: readonly DomainEvent[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const push = pushEvents(...events);
  return { ...extra, $set: { ...set, ...push.$set }, ...(push.$push ? { $push: push.$push } : {}) };
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

  async backlog(): Promise<{ depth: number; oldestAt: Date | null }> {
    const docs = await this.model.find({ hasOutbox: true } as never, { outbox: 1 }).lean<{ outbox?: DomainEvent[] }[]>();
    const times = docs.flatMap((doc) => (doc.outbox ?? []).map((event) => event.occurredAt)).sort();
    return { depth: times.length, oldestAt: times.length > 0 ? new Date(times[0]!) : null };
  }

  /**
   * Removes published events from their documents: read, filter, and set the rest only if the
   * outbox still has the length it was read with (another writer's event pushed meanwhile would
   * otherwise be overwritten: retried instead). FerretDB cannot `$pull` subdocuments by a field.
   */
  async markPublished(ids: readonly string[]): Promise<number> {
    const published = new Set(ids);
    const docs = await this.model
      .find({ hasOutbox: true, 'outbox.id': { $in: [...published] } } as never, { _id: 1 })
      .lean<{ _id: string }[]>();
    const removed = await Promise.all(docs.map(({ _id }) => this.writes.run(_id, () => this.removeFrom(_id, published))));
    return removed.reduce((sum, count) => sum + count, 0);
  }

  /** Returns how many events it removed from the document. */
  private async removeFrom(_id: string, published: ReadonlySet<string>): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.model.findOne({ _id } as never, { outbox: 1 }).lean<{ outbox?: DomainEvent[] }>();
      const outbox = doc?.outbox ?? [];
      const remaining = outbox.filter((event) => !published.has(event.id));
      if (remaining.length === outbox.length) return 0;
      const result = await this.model.updateOne(
        { _id, outbox: { $size: outbox.length } } as never,
        remaining.length > 0 ? { $set: { outbox: remaining } } : { $unset: { outbox: 1, hasOutbox: 1 } },
        // Relaying is not a change of the document: its updatedAt stays.
        { timestamps: false },
      );
      if (result.matchedCount === 1) return outbox.length - remaining.length;
    }
    // Left for the next pass: published again then, which consumers recognise (at least once).
    return 0;
  }
}
