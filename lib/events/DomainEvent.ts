import { newId } from '../validate';
import { currentTraceCarrier, type TraceCarrier } from '../tracing/propagation';

/**
 * What one service tells the others about a change it made. Written in the same local transaction
 * (or the same document) as the change (the transactional outbox), delivered at least once;
 * consumers recognise a redelivery by `id`.
 */
export interface DomainEvent<TPayload extends Record<string, unknown> = Record<string, unknown>> {
  /** Unique per event: the consumers' idempotency key. */
  id: string;
  /** What happened, e.g. "user.registered"; also the routing key. */
  type: string;
  /** ISO-8601, when the change was made. */
  occurredAt: string;
  /** The service that made the change. */
  source: string;
  payload: TPayload;
  /**
   * The W3C trace context of the work that made the change (a mutation's resolver), written into
   * the outbox with the event: each consumer's span continues that trace. Absent while tracing is off.
   */
  trace?: TraceCarrier;
}

export function domainEvent<TPayload extends Record<string, unknown>>(source: string, type: string, payload: TPayload): DomainEvent<TPayload> {
  const trace = currentTraceCarrier();
  return { id: newId(), type, occurredAt: new Date().toISOString(), source, payload, ...(trace ? { trace } : {}) };
}

/** The events this product exchanges, and what each carries. */
export interface UserRegistered extends Record<string, unknown> {
  userId: string;
}

/** A user was deleted: their data elsewhere goes by the delete rules (README, "Deleting users and teams"). */
export interface UserDeleted extends Record<string, unknown> {
  userId: string;
}

/**
 * A user's access changed (their role, their deletion, or they signed out everywhere): every
 * service and the gateway refuse the user's access tokens issued at or before `notBefore`
 * (lib/auth/RevocationList.ts), so a client refreshes and gets a token with what is true now.
 */
export interface UserAccessChanged extends Record<string, unknown> {
  userId: string;
  /** ISO-8601 with milliseconds. */
  notBefore: string;
  /** ISO-8601: when the last token issued before `notBefore` expires; the revocation can be forgotten then. */
  expiresAt: string;
  reason: 'role-changed' | 'deleted' | 'logged-out-everywhere';
  /** The user's role from now on when it changed; null otherwise. */
  role: string | null;
}

/** A team was deleted (by its owners, or because its last member was deleted). */
export interface TeamDeleted extends Record<string, unknown> {
  teamId: string;
}
