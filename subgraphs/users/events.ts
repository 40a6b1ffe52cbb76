import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { Logger } from '../../lib/logger';
import { CONSUMERS } from '../../lib/events/topology';
import type { AuditLogStore } from './AuditLogStore';

/** audit.recorded from any service → one audit log entry, however often the event arrives. */
export function consumeEvents(transport: EventTransport, auditLog: AuditLogStore, logger: Logger, consumer = 'audit'): Promise<Subscription> {
  return transport.subscribe(consumer, CONSUMERS.audit, async (event) => {
    if (!(await auditLog.record(event))) logger.debug(`event ${event.id} was already recorded`);
  });
}
