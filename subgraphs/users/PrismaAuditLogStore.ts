import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { Page } from '../../lib/pagination';
import { afterCursorWhere, NEWEST_FIRST_ORDER } from '../../lib/sqlPaging';
import type { AuditLog as AuditLogRow, Prisma, PrismaClient } from '../../prisma/users/generated/client';
import { auditRecordOf, type AuditLogStore } from './AuditLogStore';
import type { AuditLogEntry, AuditLogFilter } from './domain';

function toEntry(row: AuditLogRow): AuditLogEntry {
  const { details, ...rest } = row;
  return { ...rest, actorType: rest.actorType as AuditLogEntry['actorType'], ...(details === null ? {} : { details }) };
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
}
