import { forbidden, isAdmin, requireUser, type Identity } from '../../lib/auth/identity';
import { isId } from '../../lib/validate';
import type { ProjectScope } from './domain';
import type { TeamMembership } from './TeamMembership';

/**
 * Who may see and change a project. Visible to its owner, to every member of its team (any role),
 * to that team's API tokens, and to app admins. Changed or deleted by its owner, its team's OWNERs
 * and ADMINs, and app admins.
 */

const sameId = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

interface ProjectRef {
  /** Null for a team project whose owner deleted their account: the team's managers manage it. */
  ownerId: string | null;
  teamId: string | null;
}

export async function canSee(project: ProjectRef, identity: Identity, membership: TeamMembership): Promise<boolean> {
  switch (identity.kind) {
    case 'anonymous':
      return false;
    case 'team':
      return project.teamId !== null && sameId(project.teamId, identity.teamId);
    case 'user':
      if (identity.role === 'ADMIN' || sameId(project.ownerId, identity.userId)) return true;
      return project.teamId !== null && membership.actsIn(project.teamId);
  }
}

export async function requireVisible(project: ProjectRef, identity: Identity, membership: TeamMembership): Promise<void> {
  if (!(await canSee(project, identity, membership))) {
    throw forbidden("a project is visible to its owner, its team's members and admins only");
  }
}

/**
 * The SQL-side form of `canSee` for lists: null when the caller sees every project (an admin),
 * else the owner and the teams whose projects the caller sees. Asks the teams service (once per
 * request) for a user's teams.
 */
export async function visibilityScope(identity: Identity, membership: TeamMembership): Promise<ProjectScope | null> {
  switch (identity.kind) {
    case 'anonymous':
      return { ownerId: null, teamIds: [] };
    case 'team':
      return { ownerId: null, teamIds: [identity.teamId] };
    case 'user':
      if (identity.role === 'ADMIN') return null;
      return { ownerId: identity.userId, teamIds: [...(await membership.teamIds())].filter(isId) };
  }
}

/** The signed-in user, who must be the project's owner, an OWNER or ADMIN of its team, or an app admin. */
export async function requireManager(project: ProjectRef, identity: Identity, membership: TeamMembership, action: string): Promise<string> {
  const user = requireUser(identity);
  if (isAdmin(identity) || sameId(project.ownerId, user.userId)) return user.userId;
  if (project.teamId !== null) {
    const role = await membership.roleIn(project.teamId);
    if (role === 'OWNER' || role === 'ADMIN') return user.userId;
  }
  throw forbidden(`only the project's owner, its team's OWNERs and ADMINs, and admins may ${action}`);
}

/** True for the signed-in user themselves, who sees all of their own projects. */
export function isSelf(identity: Identity, userId: string): boolean {
  return identity.kind === 'user' && sameId(identity.userId, userId);
}
