import { consume } from '../../lib/events/consume';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { Logger } from '../../lib/logger';
import type { AuditLogStore } from './AuditLogStore';

/** audit.recorded from any service → one audit log entry, however often the event arrives. */
export function consumeEvents(transport: EventTransport, auditLog: AuditLogStore, logger: Logger): Promise<Subscription> {
  return consume(transport, 'audit', logger, (event) => auditLog.record(event));
}
