import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { Page } from '../../lib/pagination';
import type { MoveAdapter } from '../../lib/storeMove/types';
import { afterCursorWhere, keysetPages, NEWEST_FIRST_ORDER } from '../../lib/sqlPaging';
import { Prisma, type AuditLog as AuditLogRow, type PrismaClient } from '../../prisma/users/generated/client';
import { auditRecordOf, type AuditLogStore } from './AuditLogStore';
import type { AuditLogEntry, AuditLogFilter } from './domain';

function toEntry(row: AuditLogRow): AuditLogEntry {
  const { details, ...rest } = row;
  return { ...rest, actorType: rest.actorType as AuditLogEntry['actorType'], ...(details === null ? {} : { details }) };
}

/** An entry as its row: no details is SQL NULL (a JSON column takes no plain null). */
function toRow(entry: AuditLogEntry): Prisma.AuditLogCreateManyInput {
  const { details, ...fields } = entry;
  return { ...fields, ...(details == null ? {} : { details: details as Prisma.InputJsonValue }) };
}

/** The audit log on PostgreSQL: one row per event id (a redelivery inserts nothing). */
export class PrismaAuditLogStore implements AuditLogStore {
  constructor(private readonly db: PrismaClient) {}

  async record(event: DomainEvent): Promise<boolean> {
    const { count } = await this.db.auditLog.createMany({
      data: [{ id: event.id, ...auditRecordOf(event) }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  async list(filter: AuditLogFilter, page: Page): Promise<AuditLogEntry[]> {
    const where: Prisma.AuditLogWhereInput = {
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.resourceType ? { resourceType: filter.resourceType } : {}),
      ...(filter.resourceId ? { resourceId: filter.resourceId } : {}),
      ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
    };
    const rows = await this.db.auditLog.findMany({ where: { AND: [where, afterCursorWhere(page.after)] }, orderBy: NEWEST_FIRST_ORDER, take: page.limit + 1 });
    return rows.map(toEntry);
  }

  async importEntries(fresh: readonly AuditLogEntry[], known: readonly AuditLogEntry[]): Promise<string[]> {
    let conflicts: string[] = [];
    if (fresh.length > 0) {
      const inserted = await this.db.auditLog.createManyAndReturn({ data: fresh.map(toRow), skipDuplicates: true, select: { id: true } });
      const done = new Set(inserted.map((row) => row.id));
      conflicts = fresh.map((entry) => entry.id).filter((id) => !done.has(id));
    }
    if (known.length > 0) {
      await this.db.$transaction(
        known.map((entry) => {
          const row = toRow(entry);
          return this.db.auditLog.upsert({ where: { id: entry.id }, create: row, update: { ...row, details: row.details ?? Prisma.DbNull } });
        }),
      );
    }
    return conflicts;
  }

  async entriesByIds(ids: readonly string[]): Promise<AuditLogEntry[]> {
    return (await this.db.auditLog.findMany({ where: { id: { in: [...ids] } } })).map(toEntry);
  }

  /**
   * Keyset pages on the primary key. Its text order under the database's collation is the ids'
   * text order for uuids (the product's event ids, the legacy entries' ids): same shape, hex digits.
   */
  async *entriesInIdOrder(): AsyncIterable<AuditLogEntry> {
    const rows = keysetPages((after, take) => this.db.auditLog.findMany({ where: after ? { id: { gt: after } } : {}, orderBy: { id: 'asc' }, take }));
    for await (const row of rows) yield toEntry(row);
  }

  async removeByIds(ids: readonly string[]): Promise<void> {
    await this.db.auditLog.deleteMany({ where: { id: { in: [...ids] } } });
  }

  /**
   * The entries as the online move copies them (lib/storeMove). No version is needed: an entry
   * never changes once recorded, so a copy is inserted when absent and otherwise left alone.
   */
  moveAdapter(): MoveAdapter<AuditLogEntry> {
    const db = this.db;
    return {
      scan: async (afterId, limit) => (await db.auditLog.findMany({ where: afterId === null ? {} : { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: limit })).map(toEntry),
      get: (ids) => this.entriesByIds(ids),
      count: () => db.auditLog.count(),
      putIfNewer: async (records) => (records.length === 0 ? 0 : (await db.auditLog.createMany({ data: records.map(toRow), skipDuplicates: true })).count),
    };
  }
}
