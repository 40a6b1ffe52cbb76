import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { Page } from '../../lib/pagination';
import type { Credentials, EndedSessions, NewUser, NewUserEvents, SessionsEnd, User, UserChanges, UserStatus } from './domain';

/**
 * What the users service needs of the database that keeps its users (MongoUserStore on
 * MongoDB/FerretDB). Every write writes its events to the store's outbox atomically with the change.
 */
export interface UserStore {
  /** Live users among `ids`, in one query (the loaders' batch function). */
  findByIds(ids: readonly string[]): Promise<User[]>;
  hasLiveUsers(): Promise<boolean>;
  /** Live users and tombstones among `ids`, in one query; ids of neither are absent from the map. */
  statusOf(ids: readonly string[]): Promise<Map<string, UserStatus>>;
  /** The live user with this (lower-cased) email and their password hash, for login only. */
  findCredentials(email: string): Promise<Credentials | null>;
  /** Live users newest first, at most `page.limit + 1`. */
  list(page: Page): Promise<User[]>;
  /** A new user; CONFLICT (on input.email) when a live user has the email, whatever the timing. */
  create(input: NewUser & NewUserEvents): Promise<User>;
  /**
   * Returns null when no live user has the id; `events` are written with the change. A new role
   * also ends the user's sessions (their tokens carry the old one): `sessionsEnd` gives that
   * write's events, and `sessionsEndedAt` says when (null when the role stayed as it was).
   */
  update(id: string, changes: UserChanges, events?: readonly DomainEvent[], sessionsEnd?: SessionsEnd): Promise<{ user: User; sessionsEndedAt: Date | null } | null>;
  /** Ends every session of the user issued up to now: when, or null when no live user has the id. */
  endSessions(id: string, sessionsEnd: SessionsEnd): Promise<Date | null>;
  /**
   * A live user as a new session must see them, and when they were read (ms): the session's issue
   * time. A write that ends sessions is wholly before the read (the session is issued strictly
   * after its instant, with what it changed) or wholly after it (the session is issued at or
   * before its instant, and refused).
   */
  findForSession(id: string): Promise<{ user: User; readAt: number } | null>;
  /** Whose sessions ended after `since`, deleted users included (what every service must keep refusing). */
  sessionsEndedSince(since: Date): Promise<EndedSessions[]>;
  /**
   * Deletes the user, leaving a tombstone (the id and when, nothing personal; the email is free
   * again), and ends their sessions, with `sessionsEnd`'s events in the same write. Returns when
   * the sessions ended, or null when no live user has the id.
   */
  delete(id: string, sessionsEnd?: SessionsEnd): Promise<Date | null>;
  /** Events written with the users, waiting to be relayed. */
  outbox(): OutboxSource;
}
