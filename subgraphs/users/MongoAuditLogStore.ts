import { Schema, type Connection, type Model } from 'mongoose';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import { afterCursorFilter, insertAllButDuplicates, insertUnlessPresent, NEWEST_FIRST } from '../../lib/mongo';
import type { Page } from '../../lib/pagination';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { AuditLogEntry, AuditLogFilter } from './domain';
import { auditRecordOf, type AuditLogStore } from './AuditLogStore';

type AuditLogDocument = Omit<AuditLogEntry, 'id'> & { _id: string };

const auditLogSchema = new Schema<AuditLogDocument>(
  {
    _id: { type: String, required: true },
    createdAt: { type: Date, required: true },
    service: { type: String, required: true },
    actorType: { type: String, required: true },
    actorId: { type: String, default: null },
    actorTeamId: { type: String, default: null },
    action: { type: String, required: true },
    resourceType: { type: String, required: true },
    resourceId: { type: String, default: null },
    clientIp: { type: String, default: null },
    userAgent: { type: String, default: null },
    requestId: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'audit_logs', versionKey: false },
);
// Newest first, on its own and within each filter an admin is likely to use.
auditLogSchema.index({ createdAt: -1, _id: -1 });
auditLogSchema.index({ actorId: 1, createdAt: -1, _id: -1 });
auditLogSchema.index({ resourceType: 1, resourceId: 1, createdAt: -1, _id: -1 });
auditLogSchema.index({ action: 1, createdAt: -1, _id: -1 });

/** Entries without details have none (an entry migrated before may hold a null). */
function toEntry(doc: AuditLogDocument): AuditLogEntry {
  const { _id, details, ...rest } = doc;
  return { ...rest, id: _id, ...(details == null ? {} : { details }) } as AuditLogEntry;
}

function toDocument(entry: AuditLogEntry): AuditLogDocument & Record<string, unknown> {
  const { id, details, ...fields } = entry;
  return { _id: id, ...fields, ...(details == null ? {} : { details }) };
}

/** The audit log on MongoDB (FerretDB). */
export class MongoAuditLogStore implements AuditLogStore {
  private readonly entries: Model<AuditLogDocument>;

  constructor(connection: Connection) {
    this.entries = connection.model<AuditLogDocument>('AuditLog', auditLogSchema);
  }

  async init(): Promise<void> {
    await this.entries.createIndexes();
  }

  /** Records an audit event; false when it was recorded before (a redelivery). */
  async record(event: DomainEvent): Promise<boolean> {
    return insertUnlessPresent(this.entries, { _id: event.id, ...auditRecordOf(event) });
  }

  async list(filter: AuditLogFilter, page: Page): Promise<AuditLogEntry[]> {
    const time = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    const where = {
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.resourceType ? { resourceType: filter.resourceType } : {}),
      ...(filter.resourceId ? { resourceId: filter.resourceId } : {}),
      ...(filter.from || filter.to ? { createdAt: time } : {}),
    };
    const after = afterCursorFilter(page.after);
    const docs = await this.entries
      .find(Object.keys(after).length > 0 ? { $and: [where, after] } : where)
      .sort(NEWEST_FIRST)
      .limit(page.limit + 1)
      .lean<AuditLogDocument[]>();
    return docs.map(toEntry);
  }

  async importEntries(fresh: readonly AuditLogEntry[], known: readonly AuditLogEntry[]): Promise<string[]> {
    const conflicts = await insertAllButDuplicates(this.entries, fresh.map(toDocument));
    if (known.length > 0) {
      await this.entries.collection.bulkWrite(
        known.map(toDocument).map((doc) => ({ replaceOne: { filter: { _id: doc._id } as never, replacement: doc as never, upsert: true } })),
        { ordered: false },
      );
    }
    return conflicts;
  }

  async entriesByIds(ids: readonly string[]): Promise<AuditLogEntry[]> {
    if (ids.length === 0) return [];
    return (await this.entries.find({ _id: { $in: ids } }).lean<AuditLogDocument[]>()).map(toEntry);
  }

  async *entriesInIdOrder(): AsyncIterable<AuditLogEntry> {
    for await (const doc of this.entries.collection.find({}, { sort: { _id: 1 }, batchSize: 5000 })) yield toEntry(doc as unknown as AuditLogDocument);
  }

  async removeByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.entries.deleteMany({ _id: { $in: ids } });
  }

  /**
   * The entries as the online move copies them (lib/storeMove). No version is needed: an entry
   * never changes once recorded, so a copy is inserted when absent and otherwise left alone.
   */
  moveAdapter(): MoveAdapter<AuditLogEntry> {
    const entries = this.entries;
    return {
      scan: async (afterId, limit) => (await entries.find(afterId === null ? {} : { _id: { $gt: afterId } }).sort({ _id: 1 }).limit(limit).lean<AuditLogDocument[]>()).map(toEntry),
      get: (ids) => this.entriesByIds(ids),
      count: () => entries.countDocuments({}),
      putIfNewer: async (records) => records.length - (await insertAllButDuplicates(entries, records.map(toDocument))).length,
    };
  }
}
