import type { DomainEvent } from '../../../lib/events/DomainEvent';
import type { Page } from '../../../lib/pagination';
import type { MoveFollower } from '../../../lib/storeMove/MoveFollower';
import type { AuditLogStore } from '../AuditLogStore';
import type { AuditLogEntry, AuditLogFilter } from '../domain';
import type { UsersData } from '../UsersData';

/** The audit log while the service may be moving: entries are recorded through the follower (journaled, mirrored), lists read from the current store. */
export class MovingAuditLogStore implements AuditLogStore {
  constructor(private readonly follower: MoveFollower<UsersData>) {}

  private get reads(): AuditLogStore {
    return this.follower.reader().auditLog;
  }

  record(event: DomainEvent): Promise<boolean> {
    return this.follower.write([{ kind: 'audit_logs', ids: [event.id] }], (primary) => primary.auditLog.record(event));
  }

  async list(filter: AuditLogFilter, page: Page): Promise<AuditLogEntry[]> {
    const entries = await this.reads.list(filter, page);
    this.follower.shadow('audit_logs', entries, (other) => other.auditLog.list(filter, page));
    return entries;
  }

  importEntries(fresh: readonly AuditLogEntry[], known: readonly AuditLogEntry[]): Promise<string[]> {
    return this.follower.write([{ kind: 'audit_logs', ids: [...fresh, ...known].map((entry) => entry.id) }], (primary) => primary.auditLog.importEntries(fresh, known));
  }

  entriesByIds(ids: readonly string[]): Promise<AuditLogEntry[]> {
    return this.reads.entriesByIds(ids);
  }

  entriesInIdOrder(): AsyncIterable<AuditLogEntry> {
    return this.reads.entriesInIdOrder();
  }

  /** On the primary only: a move copies records, never their absence (undo an import before or after a move). */
  removeByIds(ids: readonly string[]): Promise<void> {
    return this.reads.removeByIds(ids);
  }
}
