import type { AuditRecorded } from '../../lib/events/audit';
import type { DomainEvent } from '../../lib/events/DomainEvent';

/**
 * The users service's own types: what its resolvers, loaders, consumers, Accounts and store
 * contracts speak (UserStore.ts, RefreshTokenStore.ts, AuditLogStore.ts), whatever database holds them.
 */

export const ROLES = ['ADMIN', 'CUSTOMER', 'VENDOR'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  id?: string;
  email: string;
  name: string;
  role: Role;
  emailVerified?: boolean;
  passwordHash?: string;
}

/**
 * A tombstone's email: unique (the index needs one) and not an email address at all, so no
 * registration can take it and block the deletion, and the user's own address is free again.
 */
const tombstoneEmail = (id: string) => `deleted:${id}`;

/** What deleting a user sets: the tombstone keeps the id and when, nothing personal. */
export function tombstoneFields(id: string) {
  return { deletedAt: new Date(), email: tombstoneEmail(id), name: null, passwordHash: null, emailVerified: false };
}

/**
 * The tombstone of a user this store never held, known only as deleted (the legacy migration's
 * users whom payments still name): what deleting a user leaves, dated `at`.
 */
export function tombstoneOf(id: string, at: Date): UserRecord {
  return { id, role: 'CUSTOMER', ...tombstoneFields(id), deletedAt: at, createdAt: at, updatedAt: at };
}

/**
 * A whole user as stored, the password hash and a tombstone's deletedAt included: what a bulk
 * import writes and a bulk reader reads (the legacy migration, migration/), never a resolver.
 */
export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerified: boolean;
  passwordHash: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set on a deleted user's tombstone. */
  deletedAt: Date | null;
}

/** A live user as a bulk import carries it: its id, hash and timestamps as they were. */
export type ImportedUser = Omit<UserRecord, 'deletedAt'>;

/**
 * A session carried over from the legacy system: its token kept only as a SHA-256 hash, accepted
 * once as it is and rotated into one of ours (RefreshTokenStore.redeem).
 */
export interface LegacySession {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: Date;
  createdAt: Date;
}

/** A carried legacy session as stored: also whether it has ended since. */
export interface StoredLegacySession extends LegacySession {
  revokedAt: Date | null;
}

/** Whether each id is a user, a deleted user's tombstone, or neither (the integrity check asks). */
export type UserStatus = 'live' | 'deleted';

export interface NewUserEvents {
  /** Builds the events of the new user's creation (they need its id), stored with it. */
  events?: (userId: string) => DomainEvent[];
}

export interface Credentials {
  user: User;
  passwordHash: string | null;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  emailVerified?: boolean;
}

/** The events of a write that ends a user's sessions, made from the instant it chose (`notBefore`). */
export type SessionsEnd = (notBefore: Date) => DomainEvent[];

/** Sessions a user ended at `notBefore` (a tombstone's included). */
export interface EndedSessions {
  userId: string;
  notBefore: Date;
}

/** Outcome of presenting a refresh token. */
export type Redemption =
  | { ok: true; userId: string; familyId: string; expiresAt: Date }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' };

/** One successful mutation somewhere in the product: the audit event's payload, and where and when it happened. */
export interface AuditLogEntry {
  /** The audit event's id: each event is recorded once, however often it is delivered. */
  id: string;
  /** When the mutation happened (the event's occurredAt); the log's order. */
  createdAt: Date;
  /** The service that made the change (the event's source); "legacy" for migrated entries. */
  service: string;
  actorType: AuditRecorded['actorType'];
  actorId: string | null;
  actorTeamId: string | null;
  action: string;
  resourceType: string;
  /** Migrated entries may have none of these two; the product's own always have both. */
  resourceId: string | null;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  /** What the legacy system kept about the change (migrated entries only). */
  details?: unknown;
}

export interface AuditLogFilter {
  actorId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}


/**
 * A user as the online move copies it (npm run move-store -- users): the whole record, when their
 * sessions last ended, and its revision. Version rule: every write of the service bumps
 * `revision`, so of two copies of a user the one with the higher revision is newer.
 */
export interface UserMoveRecord extends UserRecord {
  sessionsNotBefore: Date | null;
  revision: number;
}

/**
 * A refresh token as the online move copies it: every field but the outbox. Merge rule (no
 * version): `usedAt`, `revokedAt` and `endedAt` are only ever set once, from null; every other
 * field never changes. So a copy keeps whichever of each the two sides set, and never unsets one:
 * a token spent or revoked on either side stays spent or revoked.
 */
export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  secretHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  endedAt: Date | null;
  createdAt: Date;
  legacyTokenHash: string | null;
}
