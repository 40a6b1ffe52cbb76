import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { LegacySession, Redemption, StoredLegacySession } from './domain';

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
   * a rotation continues a family and keeps its expiry. `events` are written with it; `id` is the
   * new token's (a new one when not given: a store move names it before the write).
   */
  issue(userId: string, rotation?: { familyId: string; expiresAt: Date }, events?: readonly DomainEvent[], id?: string): Promise<string>;
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
  /** The ids of every token of the presented token's family (none for a token that is not ours): what redeeming or revoking it may change. */
  familyOf(token: string): Promise<string[]>;
  /** The ids of every token of a user. */
  tokenIdsOf(userId: string): Promise<string[]>;
  /** Session audit events written with the tokens. */
  outbox(): OutboxSource;

  /* Bulk import of sessions carried over from the legacy system (migration/); not the service's. */

  /**
   * Stores legacy sessions, each starting a family of its own (reuse detection works from its first
   * rotation), unspent. `fresh` ones are inserted (an id already here is left alone and returned:
   * a conflict); `known` ones (imported before) get the carried fields again, and keep whether they
   * were spent or revoked since, so a token is still redeemed once.
   */
  importLegacy(fresh: readonly LegacySession[], known: readonly LegacySession[]): Promise<string[]>;
  /** The legacy sessions among `ids`; other ids (unknown, or tokens of ours) are absent. */
  legacySessions(ids: readonly string[]): Promise<StoredLegacySession[]>;
  /** Every legacy session, in id order (the ids' text order), read as it goes. */
  legacySessionsInIdOrder(): AsyncIterable<StoredLegacySession>;
  /** Ends these sessions (their tokens are refused from now); ones already revoked stay as they were. */
  revokeByIds(ids: readonly string[]): Promise<void>;
  /** Deletes these tokens outright (undoing an import). */
  removeByIds(ids: readonly string[]): Promise<void>;
}
