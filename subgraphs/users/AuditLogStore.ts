import type { AuditRecorded } from '../../lib/events/audit';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { Page } from '../../lib/pagination';
import type { AuditLogEntry, AuditLogFilter } from './domain';

/** The audit log, kept by the users service for the whole product (append-only; MongoAuditLogStore). */
export interface AuditLogStore {
  /** Records an audit event; false when it was recorded before (a redelivery). */
  record(event: DomainEvent): Promise<boolean>;
  /** Entries matching `filter`, newest first, at most `page.limit + 1`. */
  list(filter: AuditLogFilter, page: Page): Promise<AuditLogEntry[]>;

  /* Bulk import of entries kept elsewhere before (the legacy migration, migration/); not the service's. */

  /**
   * Stores entries as they were. `fresh` ones are inserted (an id already here is left alone and
   * returned: a conflict); `known` ones (imported before) are replaced, or inserted again.
   */
  importEntries(fresh: readonly AuditLogEntry[], known: readonly AuditLogEntry[]): Promise<string[]>;
  /** The entries of `ids`; unknown ids are absent. */
  entriesByIds(ids: readonly string[]): Promise<AuditLogEntry[]>;
  /** Every entry, in id order (the ids' text order), read as it goes. */
  entriesInIdOrder(): AsyncIterable<AuditLogEntry>;
  /** Deletes these entries outright (undoing an import). */
  removeByIds(ids: readonly string[]): Promise<void>;
}

/** The record of an `audit.recorded` event as both stores keep it (the event id becomes the entry's id). */
export function auditRecordOf(event: DomainEvent) {
  const payload = event.payload as AuditRecorded;
  return {
    createdAt: new Date(event.occurredAt),
    service: event.source,
    actorType: payload.actorType,
    actorId: payload.actorId ?? null,
    actorTeamId: payload.actorTeamId ?? null,
    action: payload.action,
    resourceType: payload.resourceType,
    resourceId: payload.resourceId,
    clientIp: payload.clientIp ?? null,
    userAgent: payload.userAgent ?? null,
    requestId: payload.requestId,
  };
}
