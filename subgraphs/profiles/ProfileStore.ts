import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { AuditFor } from '../../lib/events/audit';
import type { JsonObject } from '../../lib/json';
import type { ReferenceScan } from '../../lib/references';
import type { UserProfile } from './domain';

export interface ProfileChanges {
  avatarUrl?: string | null;
  phone?: string | null;
  address?: string | null;
  bio?: string | null;
  preferences?: JsonObject;
}

/** What the users service's events do to profiles; `forgetUser` is also the integrity repair. */
export interface ProfileRules {
  /** A default profile for a user who has none (a new registration); nothing if one exists or the user was deleted. */
  createDefault(userId: string): Promise<void>;
  /** A deleted user's profile goes with them, and none is made for them afterwards; how many profiles went. */
  forgetUser(userId: string): Promise<number>;
}

/** What the profiles service needs of the database that keeps its profiles (each profile names its `user`). */
export interface ProfileStore extends ProfileRules, ReferenceScan<'user'> {
  findByIds(ids: readonly string[]): Promise<UserProfile[]>;
  findByUserIds(userIds: readonly string[]): Promise<UserProfile[]>;
  /**
   * Makes a default profile for each user that has none and returns the users' profiles. Concurrent
   * calls for one user are not an error and leave one profile per user.
   */
  createDefaults(userIds: readonly string[]): Promise<UserProfile[]>;
  /** Applies the changes to the user's profile, creating it with defaults first if needed; `audit` is written with it, atomically. */
  update(userId: string, changes: ProfileChanges, audit: AuditFor): Promise<UserProfile>;
  /**
   * Applies an event's effect once: the event is recorded as handled atomically with the effect,
   * so a redelivery (or one whose first delivery failed halfway) changes nothing more. False when
   * the event had already been handled.
   */
  once(event: Pick<DomainEvent, 'id' | 'type'>, effect: (rules: ProfileRules) => Promise<unknown>): Promise<boolean>;
  /** Audit events written with the changes, waiting to be relayed. */
  outbox(): OutboxSource;
}
