import { ANONYMOUS } from '../../lib/auth/identity';
import { auditor, type AuditFor } from '../../lib/events/audit';

/** An audit event maker for calling a store directly, as a resolver would hand it one. */
export function testAudit(service: string, action: string, resourceType: string): AuditFor {
  return auditor(service)({ identity: ANONYMOUS, clientIp: null, userAgent: null, requestId: 'test' }, action, resourceType);
}
