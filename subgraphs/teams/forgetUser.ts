import type { Member, Team, TeamChange } from './domain';
import type { TeamStore } from './TeamStore';
import type { TeamTokenStore } from './TeamTokenStore';

const byJoined = (a: Member, b: Member) => a.joinedAt.getTime() - b.joinedAt.getTime() || a.userId.localeCompare(b.userId);

/**
 * The team without a member whose account was deleted. A team always keeps an OWNER: when the
 * last one goes, the longest-standing ADMIN becomes OWNER, else the longest-standing MEMBER. A team
 * left with nobody is deleted (and its projects follow team.deleted).
 */
export function withoutMember(team: Team, userId: string): TeamChange {
  const members = team.members.filter((member) => member.userId !== userId);
  if (members.length === 0) return { deleted: true };
  if (members.some((member) => member.role === 'OWNER')) return { members };
  const successor = [...members.filter((m) => m.role === 'ADMIN')].sort(byJoined)[0] ?? [...members].sort(byJoined)[0]!;
  return { members: members.map((member) => (member === successor ? { ...member, role: 'OWNER' } : member)) };
}

export interface ForgottenMemberships {
  /** Teams the user was removed from (deleted ones included). */
  teams: number;
  /** Teams deleted because nobody was left. */
  deleted: number;
}

/**
 * Removes a deleted user from every team (user.deleted, and the integrity repair). Idempotent: a
 * second run finds no team with the user. A team that goes loses its API tokens first.
 */
export async function forgetUser(teams: TeamStore, tokens: TeamTokenStore, userId: string): Promise<ForgottenMemberships> {
  const result = { teams: 0, deleted: 0 };
  for (const team of await teams.findByMembers([userId])) {
    let wasMember = false;
    const changed = await teams.change(team.id, (current) => {
      wasMember = current.members.some((member) => member.userId === userId);
      return wasMember ? withoutMember(current, userId) : {};
    });
    if (!changed || !wasMember) continue;
    result.teams += 1;
    if (changed.deletedAt) {
      // Decided inside the change (not from the list read before it), and safe to repeat.
      await tokens.revokeAll(team.id);
      result.deleted += 1;
    }
  }
  return result;
}
