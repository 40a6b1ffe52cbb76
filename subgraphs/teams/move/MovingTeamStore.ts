import type { AuditFor } from '../../../lib/events/audit';
import type { OutboxSource } from '../../../lib/events/OutboxRelay';
import type { Page } from '../../../lib/pagination';
import type { MoveFollower } from '../../../lib/storeMove/MoveFollower';
import { newId } from '../../../lib/validate';
import type { ChangedTeam, Team, TeamChange, TeamStatus } from '../domain';
import type { TeamsData } from '../TeamsData';
import type { TeamStore } from '../TeamStore';

/**
 * The teams' store while the service may be moving between databases: reads from the store the
 * move's phase names (a share of the loaders' reads shadowed on the other store), writes through
 * the follower, which journals, writes the primary and mirrors the team's resulting state.
 */
export class MovingTeamStore implements TeamStore {
  constructor(private readonly follower: MoveFollower<TeamsData>) {}

  private get reads(): TeamStore {
    return this.follower.reader().teams;
  }

  async findByIds(ids: readonly string[]): Promise<Team[]> {
    const teams = await this.reads.findByIds(ids);
    this.follower.shadow('teams', teams, (other) => other.teams.findByIds(ids));
    return teams;
  }

  statusOf(ids: readonly string[]): Promise<Map<string, TeamStatus>> {
    return this.reads.statusOf(ids);
  }

  async findByMembers(userIds: readonly string[]): Promise<Team[]> {
    const teams = await this.reads.findByMembers(userIds);
    this.follower.shadow('teams', teams, (other) => other.teams.findByMembers(userIds));
    return teams;
  }

  scan(afterId: string | null, limit: number): Promise<Team[]> {
    return this.reads.scan(afterId, limit);
  }

  countLive(): Promise<number> {
    return this.reads.countLive();
  }

  list(page: Page): Promise<Team[]> {
    return this.reads.list(page);
  }

  create(name: string, ownerId: string, audit: AuditFor, id = newId()): Promise<Team> {
    return this.follower.write([{ kind: 'teams', ids: [id] }], (primary) => primary.teams.create(name, ownerId, audit, id));
  }

  change(id: string, decide: (team: Team) => TeamChange, audit?: AuditFor): Promise<ChangedTeam | null> {
    return this.follower.write([{ kind: 'teams', ids: [id] }], (primary) => primary.teams.change(id, decide, audit));
  }

  /** The current primary's outbox; the service relays both stores' outboxes itself during a move (server.ts). */
  outbox(): OutboxSource {
    const current = () => this.follower.reader().teams.outbox();
    return {
      pending: (limit) => current().pending(limit),
      markPublished: (ids) => current().markPublished(ids),
      backlog: () => current().backlog(),
    };
  }
}
