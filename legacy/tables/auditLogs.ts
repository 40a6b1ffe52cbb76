import { AS_OF, DAY, instant } from '../clock';
import type { LegacyPlan } from '../plan';
import { Random, rowId, TABLE_TAG } from '../random';
import type { TableSpec } from '../tableSpec';
import { AUDIT_ACTIONS, USER_AGENTS } from '../vocabulary';
import { legacyPaymentId } from './payments';
import { legacyUserId, userCreatedAt } from './users';

export type AuditLogRow = {
  id: string;
  user_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  details: string | null;
  ip_address: string | null;
  user_agent: string | null;
  created_at: number;
};

export const AUDIT_LOGS: TableSpec<AuditLogRow> = {
  name: 'admin.audit_logs',
  columns: {
    id: 'uuid',
    user_id: 'uuid',
    action: 'text',
    resource_type: 'text',
    resource_id: 'text',
    details: 'jsonb',
    ip_address: 'text',
    user_agent: 'text',
    created_at: 'timestamptz',
  },
};

/** Documentation ranges (RFC 5737) only. */
function ipAddress(random: Random): string {
  const block = random.pick(['192.0.2', '198.51.100', '203.0.113']);
  return `${block}.${random.between(1, 254)}`;
}

/**
 * What users did, as the legacy admin panel recorded it. resource_id is text because it held
 * ids of every kind (uuids, config keys). Two percent are the system's own entries (nightly
 * jobs), with no user: user_id is nullable for those, not dirt.
 */
export function makeAuditLogs(plan: LegacyPlan, start: number, end: number): AuditLogRow[] {
  const rows: AuditLogRow[] = [];
  for (let index = start; index < end; index++) {
    const random = new Random(plan.seed, TABLE_TAG.auditLogs, index);
    const id = rowId(plan.seed, TABLE_TAG.auditLogs, index);
    if (random.chance(0.02)) {
      const at = AS_OF - random.float() * 365 * DAY;
      rows.push({
        id,
        user_id: null,
        action: 'SYSTEM_JOB',
        resource_type: 'system',
        resource_id: null,
        details: JSON.stringify({ job: random.pick(['expire_sessions', 'reconcile_payments', 'send_digest']), ok: random.chance(0.97) }),
        ip_address: null,
        user_agent: null,
        created_at: instant(at),
      });
      continue;
    }
    const user = random.below(plan.users);
    const signedUp = userCreatedAt(plan, user);
    const [action, resourceType] = random.pick(AUDIT_ACTIONS);
    const resourceId =
      resourceType === 'payment'
        ? legacyPaymentId(plan.seed, random.below(plan.payments))
        : resourceType === 'system_config'
          ? random.pick(['payments.max_amount.USD', 'auth.refresh_token_days', 'feature.new_checkout'])
          : legacyUserId(plan.seed, user);
    rows.push({
      id,
      user_id: legacyUserId(plan.seed, user),
      action,
      resource_type: resourceType,
      resource_id: resourceId,
      details: random.chance(0.4) ? null : JSON.stringify({ success: random.chance(0.95), via: random.pick(['web', 'mobile', 'api']) }),
      ip_address: ipAddress(random),
      user_agent: random.pick(USER_AGENTS),
      created_at: instant(signedUp + random.float() * (AS_OF - signedUp)),
    });
  }
  return rows;
}
