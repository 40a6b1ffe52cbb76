/**
 * The teams service's own types: what its resolvers, loaders, consumers and store contracts speak,
 * whatever database holds the teams (TeamStore.ts; MongoTeamStore.ts and PrismaTeamStore.ts).
 */

// The same values as the PostgreSQL enum team_role: PrismaTeamStore passes them both ways.
export const TEAM_ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface Member {
  userId: string;
  role: TeamRole;
  joinedAt: Date;
}

/** A team's member as the API speaks of it. */
export type TeamMember = Member;

export interface Team {
  id: string;
  name: string;
  members: Member[];
  /** Bumped by every change. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What a change to a team sets; computed from the team as last read. `deleted`: the team goes. */
export interface TeamChange {
  name?: string;
  members?: Member[];
  deleted?: true;
}

/** A team as a change left it; `deletedAt` is set when the change deleted it. */
export type ChangedTeam = Team & { deletedAt?: Date };

/** Whether each id is a live team or a deleted team's tombstone (the integrity check asks). */
export type TeamStatus = 'live' | 'deleted';

/** A team API token's record (the secret itself is never stored). */
export interface TeamToken {
  id: string;
  teamId: string;
  name: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
