import { withoutMember } from '../../subgraphs/teams/forgetUser';
import type { Member, Team } from '../../subgraphs/teams/domain';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const member = (userId: string, role: Member['role'], minute: number): Member => ({ userId, role, joinedAt: at(minute) });
const team = (...members: Member[]): Team => ({ id: 't', name: 'T', members, revision: 3, createdAt: at(0), updatedAt: at(0) });

describe('withoutMember (a deleted user leaves a team)', () => {
  it('keeps the others as they are while another OWNER remains', () => {
    expect(withoutMember(team(member('a', 'OWNER', 1), member('b', 'OWNER', 2), member('c', 'MEMBER', 3)), 'a')).toEqual({
      members: [member('b', 'OWNER', 2), member('c', 'MEMBER', 3)],
    });
  });

  it('makes the longest-standing ADMIN the OWNER when the last OWNER goes, before any longer-standing MEMBER', () => {
    const change = withoutMember(team(member('a', 'OWNER', 1), member('m', 'MEMBER', 2), member('late', 'ADMIN', 9), member('early', 'ADMIN', 5)), 'a');
    expect(change.members).toEqual([member('m', 'MEMBER', 2), member('late', 'ADMIN', 9), member('early', 'OWNER', 5)]);
  });

  it('makes the longest-standing MEMBER the OWNER when there is no ADMIN (ties broken by user id)', () => {
    const change = withoutMember(team(member('a', 'OWNER', 1), member('y', 'MEMBER', 4), member('x', 'MEMBER', 4), member('z', 'MEMBER', 7)), 'a');
    expect(change.members).toEqual([member('y', 'MEMBER', 4), member('x', 'OWNER', 4), member('z', 'MEMBER', 7)]);
  });

  it('deletes a team left with nobody', () => {
    expect(withoutMember(team(member('a', 'OWNER', 1)), 'a')).toEqual({ deleted: true });
  });

  it('changes nothing for a user who is not a member', () => {
    const members = [member('a', 'OWNER', 1), member('b', 'MEMBER', 2)];
    expect(withoutMember(team(...members), 'nobody')).toEqual({ members });
  });
});
