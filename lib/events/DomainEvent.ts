import { newId } from '../validate';

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
}

export function domainEvent<TPayload extends Record<string, unknown>>(source: string, type: string, payload: TPayload): DomainEvent<TPayload> {
  return { id: newId(), type, occurredAt: new Date().toISOString(), source, payload };
}

/** The events this product exchanges, and what each carries. */
export interface UserRegistered extends Record<string, unknown> {
  userId: string;
}

/** A user was deleted: their data elsewhere goes by the delete rules (README, "Deleting users and teams"). */
export interface UserDeleted extends Record<string, unknown> {
  userId: string;
}

/** A team was deleted (by its owners, or because its last member was deleted). */
export interface TeamDeleted extends Record<string, unknown> {
  teamId: string;
}
