import { forbidden, isAdmin, requireUser, type Identity } from '../../lib/auth/identity';
import type { Team, TeamRole } from './domain';

/**
 * Who may do what in a team, decided by the caller's role in it. App admins may do everything; a
 * team API token may read its own team and nothing more here (it acts within the team's scope in
 * the services that hold the team's data).
 */
export function roleIn(team: Team, identity: Identity): TeamRole | null {
  if (identity.kind !== 'user') return null;
  return team.members.find((member) => member.userId === identity.userId)?.role ?? null;
}

export function canSee(team: Team, identity: Identity): boolean {
  if (identity.kind === 'team') return identity.teamId === team.id;
  return isAdmin(identity) || roleIn(team, identity) !== null;
}

/** The signed-in user, who must be an OWNER (or ADMIN, when `admins` is true) of the team, or an app admin. */
export function requireManager(team: Team, identity: Identity, admins: boolean, action: string): string {
  const user = requireUser(identity);
  if (isAdmin(identity)) return user.userId;
  const role = roleIn(team, identity);
  if (role === 'OWNER' || (admins && role === 'ADMIN')) return user.userId;
  throw forbidden(`only the team's ${admins ? 'OWNERs and ADMINs' : 'OWNERs'} may ${action}`);
}
