import type { AuditFor } from '../../lib/events/audit';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { Page } from '../../lib/pagination';
import type { ChangedTeam, Team, TeamChange, TeamStatus } from './domain';

/**
 * What the teams service needs of the database that keeps its teams (MongoTeamStore on
 * MongoDB/FerretDB, PrismaTeamStore on PostgreSQL). Every write also writes its events (the audit
 * event, team.deleted) to the store's outbox, atomically with the change.
 */
export interface TeamStore {
  /** Live teams among `ids`, in one query (the loaders' batch function). */
  findByIds(ids: readonly string[]): Promise<Team[]>;
  /** Live teams and deleted teams' tombstones among `ids`; ids of neither are absent. */
  statusOf(ids: readonly string[]): Promise<Map<string, TeamStatus>>;
  /** Every live team any of `userIds` belongs to, newest first, in one query. */
  findByMembers(userIds: readonly string[]): Promise<Team[]>;
  /** Live teams in id order after `afterId`, `limit` at a time (the integrity check streams them). */
  scan(afterId: string | null, limit: number): Promise<Team[]>;
  countLive(): Promise<number>;
  /** Live teams newest first, at most `page.limit + 1`. */
  list(page: Page): Promise<Team[]>;
  /**
   * A new team with `ownerId` as its one OWNER; `audit`'s event is written with it. `id`: a new
   * one when not given (a store move journals the id before the write).
   */
  create(name: string, ownerId: string, audit: AuditFor, id?: string): Promise<Team>;
  /**
   * Applies `decide` to the current team and writes its result as one atomic change: two
   * concurrent changes of one team never both act on the same state (each `decide` sees the other's
   * result or runs before it). `decide` throws to refuse the change. The change's audit event (and
   * team.deleted when the team goes) is written with it. Returns null when no live team has the
   * id; a deleted team comes back with `deletedAt` set.
   */
  change(id: string, decide: (team: Team) => TeamChange, audit?: AuditFor): Promise<ChangedTeam | null>;
  /** Events written with the teams, waiting to be relayed. */
  outbox(): OutboxSource;
}
