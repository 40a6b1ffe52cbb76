import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { Page } from '../../lib/pagination';
import type { Credentials, EndedSessions, ImportedUser, NewUser, NewUserEvents, SessionsEnd, User, UserChanges, UserRecord, UserStatus } from './domain';

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

  /*
   * Bulk reading and writing of whole records, for operator tools that carry users in from
   * elsewhere (the legacy migration, migration/); the service itself never calls these.
   */

  /**
   * Writes users as they were (ids, hashes, timestamps kept; no events). `fresh` ones are inserted:
   * one whose id or email a record here already has is left alone and its id returned (a conflict).
   * `known` ones (written by the same tool before) have their fields replaced, or are inserted again.
   */
  importUsers(fresh: readonly ImportedUser[], known: readonly ImportedUser[]): Promise<string[]>;
  /**
   * Inserts the tombstone of each id (domain.ts tombstoneOf: what deleting a user leaves); an id
   * a record here already has, user or tombstone, is left alone and returned (a conflict).
   */
  importTombstones(ids: readonly string[]): Promise<string[]>;
  /** The records of `ids`, live users and tombstones, in one query; unknown ids are absent. */
  records(ids: readonly string[]): Promise<UserRecord[]>;
  /** Every record, live users and tombstones, in id order (the ids' text order), read as it goes. */
  recordsInIdOrder(): AsyncIterable<UserRecord>;
  /** Deletes the records of `ids` outright (undoing an import), or only those that are tombstones. */
  removeRecords(ids: readonly string[], which: 'any' | 'tombstones'): Promise<void>;
}
