import type { DomainEvent } from '../../../lib/events/DomainEvent';
import type { OutboxSource } from '../../../lib/events/OutboxRelay';
import type { Page } from '../../../lib/pagination';
import type { MoveFollower } from '../../../lib/storeMove/MoveFollower';
import { newId } from '../../../lib/validate';
import type { Credentials, EndedSessions, ImportedUser, NewUser, NewUserEvents, SessionsEnd, User, UserChanges, UserRecord, UserStatus } from '../domain';
import type { UsersData } from '../UsersData';
import type { UserStore } from '../UserStore';
import { currentOutbox } from './currentOutbox';

/**
 * The users' store while the service may be moving between databases: reads from the store the
 * move's phase names (a share of the loaders' reads shadowed on the other store), writes through
 * the follower, which journals, writes the primary and mirrors the user's resulting state (its
 * revision decides which copy is newer).
 */
export class MovingUserStore implements UserStore {
  constructor(private readonly follower: MoveFollower<UsersData>) {}

  private get reads(): UserStore {
    return this.follower.reader().users;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    const users = await this.reads.findByIds(ids);
    this.follower.shadow('users', users, (other) => other.users.findByIds(ids));
    return users;
  }

  hasLiveUsers(): Promise<boolean> {
    return this.reads.hasLiveUsers();
  }

  statusOf(ids: readonly string[]): Promise<Map<string, UserStatus>> {
    return this.reads.statusOf(ids);
  }

  findCredentials(email: string): Promise<Credentials | null> {
    return this.reads.findCredentials(email);
  }

  list(page: Page): Promise<User[]> {
    return this.reads.list(page);
  }

  create(input: NewUser & NewUserEvents): Promise<User> {
    const id = input.id ?? newId();
    return this.follower.write([{ kind: 'users', ids: [id] }], (primary) => primary.users.create({ ...input, id }));
  }

  update(id: string, changes: UserChanges, events?: readonly DomainEvent[], sessionsEnd?: SessionsEnd): Promise<{ user: User; sessionsEndedAt: Date | null } | null> {
    return this.follower.write([{ kind: 'users', ids: [id] }], (primary) => primary.users.update(id, changes, events, sessionsEnd));
  }

  endSessions(id: string, sessionsEnd: SessionsEnd): Promise<Date | null> {
    return this.follower.write([{ kind: 'users', ids: [id] }], (primary) => primary.users.endSessions(id, sessionsEnd));
  }

  findForSession(id: string): Promise<{ user: User; readAt: number } | null> {
    return this.reads.findForSession(id);
  }

  sessionsEndedSince(since: Date): Promise<EndedSessions[]> {
    return this.reads.sessionsEndedSince(since);
  }

  delete(id: string, sessionsEnd?: SessionsEnd): Promise<Date | null> {
    return this.follower.write([{ kind: 'users', ids: [id] }], (primary) => primary.users.delete(id, sessionsEnd));
  }

  outbox(): OutboxSource {
    return currentOutbox(() => this.follower.reader().users.outbox());
  }

  importUsers(fresh: readonly ImportedUser[], known: readonly ImportedUser[]): Promise<string[]> {
    return this.follower.write([{ kind: 'users', ids: [...fresh, ...known].map((user) => user.id) }], (primary) => primary.users.importUsers(fresh, known));
  }

  importTombstones(ids: readonly string[]): Promise<string[]> {
    return this.follower.write([{ kind: 'users', ids: [...ids] }], (primary) => primary.users.importTombstones(ids));
  }

  records(ids: readonly string[]): Promise<UserRecord[]> {
    return this.reads.records(ids);
  }

  recordsInIdOrder(): AsyncIterable<UserRecord> {
    return this.reads.recordsInIdOrder();
  }

  /** On the primary only: a move copies records, never their absence (undo an import before or after a move). */
  removeRecords(ids: readonly string[], which: 'any' | 'tombstones'): Promise<void> {
    return this.reads.removeRecords(ids, which);
  }
}
