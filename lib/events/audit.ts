import type { Identity } from '../auth/identity';
import type { BaseContext } from '../subgraphServer';
import { domainEvent, type DomainEvent } from './DomainEvent';

export const AUDIT_RECORDED = 'audit.recorded';

/** Who did something: a user, a team API token, or nobody signed in (register, login...). */
export type ActorType = 'USER' | 'TEAM_TOKEN' | 'ANONYMOUS';

/**
 * One successful mutation, as the audit log keeps it. Written by the service that made the change,
 * in the same transaction (or document) as the change, so a change without its record (or a record
 * without its change) cannot happen; the users service stores it (see subgraphs/users/AuditLogStore.ts).
 */
export interface AuditRecorded extends Record<string, unknown> {
  actorType: ActorType;
  /** The user's id, or the token's id for a team token; null when nobody was signed in. */
  actorId: string | null;
  /** The team a team token acted for. */
  actorTeamId: string | null;
  /** The GraphQL mutation, e.g. "createProject". */
  action: string;
  resourceType: string;
  resourceId: string;
  clientIp: string | null;
  userAgent: string | null;
  requestId: string;
}

function actorOf(identity: Identity): Pick<AuditRecorded, 'actorType' | 'actorId' | 'actorTeamId'> {
  switch (identity.kind) {
    case 'user':
      return { actorType: 'USER', actorId: identity.userId, actorTeamId: null };
    case 'team':
      return { actorType: 'TEAM_TOKEN', actorId: identity.tokenId, actorTeamId: identity.teamId };
    case 'anonymous':
      return { actorType: 'ANONYMOUS', actorId: null, actorTeamId: null };
  }
}

export interface AuditedResource {
  type: string;
  id: string;
}

/**
 * The audit event of a mutation the caller (`ctx`) made. `actingUserId` names the actor where the
 * request carried no token but the mutation established who it is (register, login, refresh).
 */
export function auditEvent(
  source: string,
  ctx: Pick<BaseContext, 'identity' | 'clientIp' | 'userAgent' | 'requestId'>,
  action: string,
  resource: AuditedResource,
  actingUserId?: string,
): DomainEvent<AuditRecorded> {
  const actor = actingUserId && ctx.identity.kind === 'anonymous' ? { actorType: 'USER' as const, actorId: actingUserId, actorTeamId: null } : actorOf(ctx.identity);
  return domainEvent<AuditRecorded>(source, AUDIT_RECORDED, {
    ...actor,
    action,
    resourceType: resource.type,
    resourceId: resource.id,
    clientIp: ctx.clientIp,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
  });
}

/**
 * What a resolver hands its store: the audit event of the mutation, made once the store knows the
 * resource's id (a new row's id is chosen in the store). The store writes it with the change.
 */
export type AuditFor = (resourceId: string) => DomainEvent;

/**
 * A service's audit helper: `audit(ctx, 'createProject', 'Project')` gives the store its AuditFor.
 * `actsAsResource`: the resource is the user acting without a token (register, login, refresh, logout).
 */
export function auditor(source: string) {
  return (ctx: Pick<BaseContext, 'identity' | 'clientIp' | 'userAgent' | 'requestId'>, action: string, resourceType: string, actsAsResource = false): AuditFor =>
    (resourceId) => auditEvent(source, ctx, action, { type: resourceType, id: resourceId }, actsAsResource ? resourceId : undefined);
}
