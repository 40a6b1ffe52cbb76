import { ANONYMOUS } from '../../lib/auth/identity';
import { AUDIT_RECORDED, auditor, type AuditFor } from '../../lib/events/audit';
import type { OutboxSource } from '../../lib/events/OutboxRelay';

/** An audit event maker for calling a store directly, as a resolver would hand it one. */
export function testAudit(service: string, action: string, resourceType: string): AuditFor {
  return auditor(service)({ identity: ANONYMOUS, clientIp: null, userAgent: null, requestId: 'test' }, action, resourceType);
}

/** The ids of the resources whose audit events wait in a store's outbox (no relay runs in store tests). */
export async function auditedResources(outbox: OutboxSource): Promise<Set<string>> {
  const events = await outbox.pending(100_000);
  return new Set(events.filter((event) => event.type === AUDIT_RECORDED).map((event) => String(event.payload.resourceId)));
}
