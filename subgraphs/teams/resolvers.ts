import { badInput, conflict, notFound } from '../../lib/errors';
import { pageInMemory, toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import type { EntityClient } from '../../lib/EntityClient';
import { requireId, requireOneOf, requireText } from '../../lib/validate';
import type { Loaders } from './loaders';
import { TEAM_ROLES, type Member, type Team, type TeamChange, type TeamStore } from './store';

export interface TeamsContext extends BaseContext {
  store: TeamStore;
  users: EntityClient;
  loaders: Loaders;
}

/** Members are embedded in the team document; this bound keeps that document small. */
export const MAX_MEMBERS = 1000;
const NAME = { max: 100 };

function owners(members: Member[]): number {
  return members.filter((member) => member.role === 'OWNER').length;
}

/** Refuses a member list that leaves the team without an owner. */
function keepAnOwner(members: Member[]): Member[] {
  if (owners(members) === 0) throw badInput('userId', 'a team must keep at least one OWNER');
  return members;
}

async function changeTeam(ctx: TeamsContext, teamId: string, decide: (team: Team) => TeamChange): Promise<Team> {
  const team = await ctx.store.change(teamId, decide);
  if (!team) throw notFound('Team', teamId);
  return team;
}

function requireUser(ctx: TeamsContext, field: string, userId: string): Promise<void> {
  return ctx.users.requireExisting({ [field]: userId }, ctx.authorization);
}

export const resolvers: ResolverMap<TeamsContext> = {
  DateTime: scalarResolvers.DateTime,
  Query: {
    team: (_: unknown, args: { id: string }, ctx: TeamsContext) => ctx.loaders.team.load(requireId(args.id, 'id')),
    teams: async (_: unknown, args: PageArgs, ctx: TeamsContext) => {
      const page = toPage(args);
      return toConnection(await ctx.store.list(page), page.limit);
    },
  },
  Mutation: {
    createTeam: async (_: unknown, { input }: { input: { name: string; ownerId: string } }, ctx: TeamsContext) => {
      const name = requireText(input.name, 'input.name', NAME);
      const ownerId = requireId(input.ownerId, 'input.ownerId');
      await requireUser(ctx, 'input.ownerId', ownerId);
      return ctx.store.create(name, ownerId);
    },
    renameTeam: (_: unknown, args: { id: string; name: string }, ctx: TeamsContext) => {
      const name = requireText(args.name, 'name', NAME);
      return changeTeam(ctx, requireId(args.id, 'id'), () => ({ name }));
    },
    addTeamMember: async (_: unknown, args: { teamId: string; userId: string; role: string }, ctx: TeamsContext) => {
      const teamId = requireId(args.teamId, 'teamId');
      const userId = requireId(args.userId, 'userId');
      const role = requireOneOf(args.role, 'role', TEAM_ROLES);
      await requireUser(ctx, 'userId', userId);
      return changeTeam(ctx, teamId, (team) => {
        if (team.members.some((member) => member.userId === userId)) throw conflict('the user is already a member of this team', 'userId');
        if (team.members.length >= MAX_MEMBERS) throw badInput('teamId', `a team has at most ${MAX_MEMBERS} members`);
        return { members: [...team.members, { userId, role, joinedAt: new Date() }] };
      });
    },
    changeTeamMemberRole: (_: unknown, args: { teamId: string; userId: string; role: string }, ctx: TeamsContext) => {
      const teamId = requireId(args.teamId, 'teamId');
      const userId = requireId(args.userId, 'userId');
      const role = requireOneOf(args.role, 'role', TEAM_ROLES);
      return changeTeam(ctx, teamId, (team) => {
        if (!team.members.some((member) => member.userId === userId)) throw notFound('TeamMember', userId, 'userId');
        return { members: keepAnOwner(team.members.map((member) => (member.userId === userId ? { ...member, role } : member))) };
      });
    },
    removeTeamMember: (_: unknown, args: { teamId: string; userId: string }, ctx: TeamsContext) => {
      const teamId = requireId(args.teamId, 'teamId');
      const userId = requireId(args.userId, 'userId');
      return changeTeam(ctx, teamId, (team) => {
        if (!team.members.some((member) => member.userId === userId)) throw notFound('TeamMember', userId, 'userId');
        return { members: keepAnOwner(team.members.filter((member) => member.userId !== userId)) };
      });
    },
    deleteTeam: async (_: unknown, args: { id: string }, ctx: TeamsContext) => {
      const id = requireId(args.id, 'id');
      if (!(await ctx.store.delete(id))) throw notFound('Team', id);
      return id;
    },
  },
  Team: {
    __resolveReference: (ref: { id: string }, ctx: TeamsContext) => ctx.loaders.team.load(ref.id),
    members: (team: Team, args: PageArgs) =>
      pageInMemory(
        team.members.map((member) => ({ ...member, id: member.userId, createdAt: member.joinedAt })),
        toPage(args),
      ),
    memberCount: (team: Team) => team.members.length,
  },
  TeamMember: {
    user: (member: Member) => ({ __typename: 'User', id: member.userId }),
  },
  User: {
    teams: async (user: { id: string }, args: PageArgs, ctx: TeamsContext) =>
      pageInMemory(await ctx.loaders.teamsOfUser.load(user.id), toPage(args)),
  },
};
