import type { Identity } from '../../lib/auth/identity';
import type { EntityClient } from '../../lib/EntityClient';

export type TeamRole = 'OWNER' | 'ADMIN' | 'MEMBER';

interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The teams service pages at most 100 at a time; a user in more teams (or a bigger team) costs one more call per 100. */
const MY_TEAMS = 'teams(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }';
const MEMBERS = 'members(first: 100, after: $after) { edges { node { role user { id } } } pageInfo { hasNextPage endCursor } }';

/**
 * Which teams the caller acts in, as the teams service (which owns memberships) says, asked with
 * the caller's own Authorization header: `User.teams` is visible to the user themselves, and
 * `Team.members` to the team's members. Made once per request and lazy: nothing is asked until a
 * rule needs it, then the user's teams are asked once (memoized for the rest of the request), and
 * a member's role in one team only when a write needs it.
 */
export class TeamMembership {
  private teams: Promise<ReadonlySet<string>> | undefined;
  private readonly roles = new Map<string, Promise<TeamRole | null>>();

  constructor(
    private readonly identity: Identity,
    private readonly authorization: string | null,
    /** `User` entities in the teams subgraph (for `User.teams`). */
    private readonly usersInTeams: EntityClient,
    /** `Team` entities in the teams subgraph (for `Team.members`). */
    private readonly teamsInTeams: EntityClient,
  ) {}

  /** The ids of the teams the caller acts in: a user's teams, a team token's own team; none when anonymous. */
  teamIds(): Promise<ReadonlySet<string>> {
    const identity = this.identity;
    if (identity.kind === 'team') return Promise.resolve(new Set([identity.teamId.toLowerCase()]));
    if (identity.kind !== 'user') return Promise.resolve(new Set());
    this.teams ??= this.fetchTeamIds(identity.userId);
    return this.teams;
  }

  /** Whether the caller is a member of the team (any role), or a token of that team. */
  async actsIn(teamId: string): Promise<boolean> {
    return (await this.teamIds()).has(teamId.toLowerCase());
  }

  /** The signed-in user's role in the team; null for a non-member, a team token or anonymous. */
  async roleIn(teamId: string): Promise<TeamRole | null> {
    const identity = this.identity;
    if (identity.kind !== 'user' || !(await this.actsIn(teamId))) return null;
    const key = teamId.toLowerCase();
    let role = this.roles.get(key);
    if (!role) {
      role = this.fetchRole(key, identity.userId.toLowerCase());
      this.roles.set(key, role);
    }
    return role;
  }

  private async fetchTeamIds(userId: string): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    await this.eachPage<{ id: string }>(this.usersInTeams, userId, MY_TEAMS, 'teams', (team) => {
      ids.add(team.id.toLowerCase());
      return false;
    });
    return ids;
  }

  private async fetchRole(teamId: string, userId: string): Promise<TeamRole | null> {
    let role: TeamRole | null = null;
    await this.eachPage<{ role: TeamRole; user: { id: string } | null }>(this.teamsInTeams, teamId, MEMBERS, 'members', (member) => {
      if (member.user?.id.toLowerCase() !== userId) return false;
      role = member.role;
      return true;
    });
    return role;
  }

  /** Walks the pages of one connection field of one entity until `visit` returns true or the pages end. */
  private async eachPage<T>(client: EntityClient, id: string, selection: string, field: string, visit: (node: T) => boolean): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const [entity]: (Record<string, Page<T> | null> | null)[] = await client.select(
        [id],
        selection,
        this.authorization,
        '$after: String',
        { after },
      );
      const page: Page<T> | null | undefined = entity?.[field];
      if (!page) return;
      for (const edge of page.edges) if (visit(edge.node)) return;
      if (!page.pageInfo.hasNextPage) return;
      after = page.pageInfo.endCursor;
    }
  }
}
