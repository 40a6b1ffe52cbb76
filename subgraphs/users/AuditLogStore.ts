import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { Page } from '../../lib/pagination';
import type { AuditLogEntry, AuditLogFilter } from './domain';

/** The audit log, kept by the users service for the whole product (append-only; MongoAuditLogStore). */
export interface AuditLogStore {
  /** Records an audit event; false when it was recorded before (a redelivery). */
  record(event: DomainEvent): Promise<boolean>;
  /** Entries matching `filter`, newest first, at most `page.limit + 1`. */
  list(filter: AuditLogFilter, page: Page): Promise<AuditLogEntry[]>;
}
