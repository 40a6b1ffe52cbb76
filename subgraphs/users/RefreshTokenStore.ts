import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { Redemption } from './domain';

/** A legacy token: an opaque secret without our `<id>.` prefix (see migration/). */
export const LEGACY_TOKEN = /^[A-Za-z0-9_-]{16,200}$/;

/**
 * Opaque refresh tokens (`<id>.<secret>`), stored hashed, rotated on every use: redeeming one
 * spends it and the caller gets a new one of the same family. Presenting a spent token means it
 * was stolen (or replayed): the whole family is revoked. A token is redeemed once, whatever the
 * timing: of concurrent presentations exactly one wins (MongoRefreshTokenStore).
 */
export interface RefreshTokenStore {
  /**
   * A new token. Without `rotation` it starts a new login's family, good for the configured TTL;
   * a rotation continues a family and keeps its expiry. `events` are written with it.
   */
  issue(userId: string, rotation?: { familyId: string; expiresAt: Date }, events?: readonly DomainEvent[]): Promise<string>;
  /** Spends a presented token (ours, or a migrated legacy one). */
  redeem(token: string): Promise<Redemption>;
  /** Ends the session the token belongs to (logout), with `events` for its user; false for a token that is not ours. */
  revokeByToken(token: string, events?: (userId: string) => DomainEvent[]): Promise<boolean>;
  /** Whether a family's sessions are over. */
  familyRevoked(familyId: string): Promise<boolean>;
  /**
   * Whether a family's sessions were ended with the user's (revokeAllOf), whatever revoked its
   * tokens first: unlike a revocation for reuse, this also refuses a rotation already under way.
   */
  familyEnded(familyId: string): Promise<boolean>;
  /** Ends every session of a user (their account was deleted, or they logged out everywhere). */
  revokeAllOf(userId: string): Promise<void>;
  /** Session audit events written with the tokens. */
  outbox(): OutboxSource;
}
