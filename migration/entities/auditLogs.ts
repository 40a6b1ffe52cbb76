import { iso, outcome, usersStorage, type Entity } from '../entity';
import type { AuditLogEntry } from '../../subgraphs/users/domain';
import { countRows, keyset } from './keyset';

const SELECT = `SELECT id::text AS id, user_id::text AS user_id, action, resource_type, resource_id, details, ip_address, user_agent, created_at::timestamptz(3) AS created_at`;

function canonical(row: { id: string; actorId: string | null; action: unknown; resourceType: unknown; resourceId: unknown; details: unknown; clientIp: unknown; userAgent: unknown; createdAt: unknown }) {
  return {
    id: row.id, actorId: row.actorId, action: row.action, resourceType: row.resourceType, resourceId: row.resourceId ?? null,
    details: row.details ?? null, clientIp: row.clientIp ?? null, userAgent: row.userAgent ?? null, createdAt: iso(row.createdAt),
  };
}

/**
 * admin.audit_logs → the users service's audit log, beside the entries the product writes itself
 * (service "legacy", the legacy action names kept as they were, details kept).
 */
export const auditLogs: Entity = {
  name: 'auditLogs',
  label: 'Audit history',
  from: 'admin.audit_logs',
  to: (targets) => `users service (${targets.usersEngine} audit_logs)`,
  count: (source) => countRows(source, 'admin.audit_logs'),
  read: (source, after, limit) => keyset(source, `${SELECT} FROM admin.audit_logs WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`, after, limit),
  key: (row) => String(row.id),
  async transform(rows, context) {
    const merged = await context.mergedInto(rows.flatMap((row) => (row.user_id ? [String(row.user_id)] : [])));
    return rows.map((row) => {
      const actor = row.user_id ? String(row.user_id) : null;
      return outcome(
        String(row.id),
        canonical({
          id: String(row.id), actorId: actor ? merged.get(actor) ?? actor : null, action: row.action, resourceType: row.resource_type,
          resourceId: row.resource_id, details: row.details, clientIp: row.ip_address, userAgent: row.user_agent, createdAt: row.created_at,
        }),
      );
    });
  },
  ...usersStorage<AuditLogEntry>({
    write: (users, fresh, known) => users.auditLog.importEntries(fresh.map(toEntry), known.map(toEntry)),
    byIds: (users, ids) => users.auditLog.entriesByIds(ids),
    inIdOrder: (users) => users.auditLog.entriesInIdOrder(),
    canonical: (entry) => canonical({ ...entry, details: entry.details }),
    remove: (users, ids) => users.auditLog.removeByIds(ids),
  }),
};

function toEntry(entry: Record<string, unknown>): AuditLogEntry {
  return {
    id: String(entry.id),
    createdAt: new Date(entry.createdAt as string),
    service: 'legacy',
    actorType: entry.actorId ? 'USER' : 'ANONYMOUS',
    actorId: (entry.actorId as string | null) ?? null,
    actorTeamId: null,
    action: String(entry.action),
    resourceType: String(entry.resourceType),
    resourceId: (entry.resourceId as string | null) ?? null,
    clientIp: (entry.clientIp as string | null) ?? null,
    userAgent: (entry.userAgent as string | null) ?? null,
    requestId: null,
    details: entry.details,
  };
}
