import { iso, mongoStorage, outcome, type Entity } from '../entity';
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
  to: 'users service (MongoDB audit_logs)',
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
  ...mongoStorage({
    collection: 'audit_logs',
    document: toDocument,
    canonical: (doc) =>
      canonical({ id: String(doc._id), actorId: (doc.actorId as string | null) ?? null, action: doc.action, resourceType: doc.resourceType, resourceId: doc.resourceId, details: doc.details, clientIp: doc.clientIp, userAgent: doc.userAgent, createdAt: doc.createdAt }),
  }),
};

function toDocument(entry: Record<string, unknown>): Record<string, unknown> {
  return {
    _id: entry.id,
    createdAt: new Date(entry.createdAt as string),
    service: 'legacy',
    actorType: entry.actorId ? 'USER' : 'ANONYMOUS',
    actorId: entry.actorId,
    actorTeamId: null,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    clientIp: entry.clientIp,
    userAgent: entry.userAgent,
    requestId: null,
    details: entry.details,
  };
}
