import { forbidden, isSelfOrAdmin, requireAdmin, requireAuthenticated, requireUser as requireSignedIn, unauthenticated } from '../../lib/auth/identity';
import { badInput, conflict, notFound } from '../../lib/errors';
import { pageInMemory, toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import type { EntityClient } from '../../lib/EntityClient';
import { requireId, requireOneOf, requireText } from '../../lib/validate';
import { canSee, requireManager } from './access';
import type { Loaders } from './loaders';
import type { TeamTokenStore } from './TeamTokenStore';
import { auditor, type AuditFor } from '../../lib/events/audit';
import { TEAM_ROLES, type Member, type Team, type TeamChange, type TeamToken } from './domain';
import type { TeamStore } from './TeamStore';

export interface TeamsContext extends BaseContext {
  store: TeamStore;
  tokens: TeamTokenStore;
  users: EntityClient;
  loaders: Loaders;
}

/** Members are embedded in the team document; this bound keeps that document small. */
export const MAX_MEMBERS = 1000;
const NAME = { max: 100 };
const audit = auditor('teams');

function owners(members: Member[]): number {
  return members.filter((member) => member.role === 'OWNER').length;
}

/** Refuses a member list that leaves the team without an owner. */
function keepAnOwner(members: Member[]): Member[] {
  if (owners(members) === 0) throw badInput('userId', 'a team must keep at least one OWNER');
  return members;
}

async function changeTeam(ctx: TeamsContext, teamId: string, decide: (team: Team) => TeamChange, auditFor: AuditFor): Promise<Team> {
  const team = await ctx.store.change(teamId, decide, auditFor);
  if (!team) throw notFound('Team', teamId, 'id');
  return team;
}

function requireExistingUser(ctx: TeamsContext, field: string, userId: string): Promise<void> {
  return ctx.users.requireExisting({ [field]: userId }, ctx.authorization);
}

/** The team, if the caller may see it (FORBIDDEN otherwise; NOT_FOUND when there is none). */
async function visibleTeam(ctx: TeamsContext, teamId: string, field: string): Promise<Team> {
  const team = await ctx.loaders.team.load(teamId);
  if (!team) throw notFound('Team', teamId, field);
  if (!canSee(team, ctx.identity)) throw forbidden('this team is visible to its members and admins only');
  return team;
}

export const resolvers: ResolverMap<TeamsContext> = {
  DateTime: scalarResolvers.DateTime,
  Query: {
    team: async (_: unknown, args: { id: string }, ctx: TeamsContext) => {
      requireAuthenticated(ctx.identity);
      const team = await ctx.loaders.team.load(requireId(args.id, 'id'));
      if (team && !canSee(team, ctx.identity)) throw forbidden('this team is visible to its members and admins only');
      return team;
    },
    teams: async (_: unknown, args: PageArgs, ctx: TeamsContext) => {
      requireAdmin(ctx.identity);
      const page = toPage(args);
      return toConnection(await ctx.store.list(page), page.limit);
    },
    _teamTokenIdentity: (_: unknown, args: { token: string }, ctx: TeamsContext) =>
      typeof args.token === 'string' && args.token.length <= 200 ? ctx.tokens.authenticate(args.token) : null,
  },
  Mutation: {
    createTeam: async (_: unknown, { input }: { input: { name: string } }, ctx: TeamsContext) => {
      const owner = requireSignedIn(ctx.identity);
      const name = requireText(input.name, 'input.name', NAME);
      // A token outlives a deleted account by up to its lifetime; a deleted user founds nothing.
      if (!(await ctx.users.existing([owner.userId], ctx.authorization)).has(owner.userId)) throw unauthenticated('the signed-in account no longer exists');
      return ctx.store.create(name, owner.userId, audit(ctx, 'createTeam', 'Team'));
    },
    renameTeam: (_: unknown, args: { id: string; name: string }, ctx: TeamsContext) => {
      const name = requireText(args.name, 'name', NAME);
      return changeTeam(ctx, requireId(args.id, 'id'), (team) => {
        requireManager(team, ctx.identity, true, 'rename the team');
        return { name };
      }, audit(ctx, 'renameTeam', 'Team'));
    },
    addTeamMember: async (_: unknown, args: { teamId: string; userId: string; role: string }, ctx: TeamsContext) => {
      const teamId = requireId(args.teamId, 'teamId');
      const userId = requireId(args.userId, 'userId');
      const role = requireOneOf(args.role, 'role', TEAM_ROLES);
      requireSignedIn(ctx.identity);
      // The caller's right first: asking whether the user exists costs a call and tells something.
      const current = await ctx.loaders.team.load(teamId);
      if (!current) throw notFound('Team', teamId, 'teamId');
      requireManager(current, ctx.identity, role === 'MEMBER', `add ${role === 'MEMBER' ? 'members' : `an ${role}`}`);
      await requireExistingUser(ctx, 'userId', userId);
      return changeTeam(ctx, teamId, (team) => {
        requireManager(team, ctx.identity, role === 'MEMBER', `add ${role === 'MEMBER' ? 'members' : `an ${role}`}`);
        if (team.members.some((member) => member.userId === userId)) throw conflict('the user is already a member of this team', 'userId');
        if (team.members.length >= MAX_MEMBERS) throw badInput('teamId', `a team has at most ${MAX_MEMBERS} members`);
        return { members: [...team.members, { userId, role, joinedAt: new Date() }] };
      }, audit(ctx, 'addTeamMember', 'Team'));
    },
    changeTeamMemberRole: (_: unknown, args: { teamId: string; userId: string; role: string }, ctx: TeamsContext) => {
      const teamId = requireId(args.teamId, 'teamId');
      const userId = requireId(args.userId, 'userId');
      const role = requireOneOf(args.role, 'role', TEAM_ROLES);
      return changeTeam(ctx, teamId, (team) => {
        const actor = requireManager(team, ctx.identity, false, "change members' roles");
        if (actor === userId) throw forbidden('members cannot change their own role');
        if (!team.members.some((member) => member.userId === userId)) throw notFound('TeamMember', userId, 'userId');
        return { members: keepAnOwner(team.members.map((member) => (member.userId === userId ? { ...member, role } : member))) };
      }, audit(ctx, 'changeTeamMemberRole', 'Team'));
    },
    removeTeamMember: (_: unknown, args: { teamId: string; userId: string }, ctx: TeamsContext) => {
      const teamId = requireId(args.teamId, 'teamId');
      const userId = requireId(args.userId, 'userId');
      const actor = requireSignedIn(ctx.identity);
      return changeTeam(ctx, teamId, (team) => {
        const leaving = team.members.find((member) => member.userId === userId);
        if (!leaving) throw notFound('TeamMember', userId, 'userId');
        // Anyone may leave; removing others takes a manager, and an OWNER to remove an OWNER or ADMIN.
        if (actor.userId !== userId) requireManager(team, ctx.identity, leaving.role === 'MEMBER', `remove ${leaving.role === 'MEMBER' ? 'members' : `an ${leaving.role}`}`);
        return { members: keepAnOwner(team.members.filter((member) => member.userId !== userId)) };
      }, audit(ctx, 'removeTeamMember', 'Team'));
    },
    deleteTeam: async (_: unknown, args: { id: string }, ctx: TeamsContext) => {
      const id = requireId(args.id, 'id');
      const team = await ctx.loaders.team.load(id);
      if (!team) throw notFound('Team', id, 'id');
      requireManager(team, ctx.identity, false, 'delete the team');
      // Its API tokens stop working with it (revoked first: a token must never outlive its team).
      await ctx.tokens.revokeAll(id);
      // A tombstone stays with team.deleted in its outbox (the projects service acts on it).
      await changeTeam(ctx, id, (current) => {
        requireManager(current, ctx.identity, false, 'delete the team');
        return { deleted: true };
      }, audit(ctx, 'deleteTeam', 'Team'));
      return id;
    },
    createTeamToken: async (_: unknown, args: { teamId: string; name: string }, ctx: TeamsContext) => {
      const team = await visibleTeam(ctx, requireId(args.teamId, 'teamId'), 'teamId');
      const creator = requireManager(team, ctx.identity, true, 'manage API tokens');
      const { token, record } = await ctx.tokens.create(team.id, requireText(args.name, 'name', NAME), creator, audit(ctx, 'createTeamToken', 'TeamToken'));
      return { token, teamToken: record };
    },
    revokeTeamToken: async (_: unknown, args: { teamId: string; tokenId: string }, ctx: TeamsContext) => {
      const team = await visibleTeam(ctx, requireId(args.teamId, 'teamId'), 'teamId');
      requireManager(team, ctx.identity, true, 'manage API tokens');
      const tokenId = requireId(args.tokenId, 'tokenId');
      const revoked = await ctx.tokens.revoke(team.id, tokenId, audit(ctx, 'revokeTeamToken', 'TeamToken'));
      if (!revoked) throw notFound('TeamToken', tokenId, 'tokenId');
      return revoked;
    },
  },
  Team: {
    // A team the caller may not see resolves to null (its fields stay hidden, also from a direct
    // `_entities` call), as if it were not there.
    __resolveReference: async (ref: { id: string }, ctx: TeamsContext) => {
      requireAuthenticated(ctx.identity);
      const team = await ctx.loaders.team.load(ref.id);
      return team && canSee(team, ctx.identity) ? team : null;
    },
    members: (team: Team, args: PageArgs, ctx: TeamsContext) => {
      if (!canSee(team, ctx.identity)) throw forbidden("a team's members are visible to its members and admins only");
      return pageInMemory(
        team.members.map((member) => ({ ...member, id: member.userId, createdAt: member.joinedAt })),
        toPage(args),
      );
    },
    memberCount: (team: Team) => team.members.length,
    tokens: (team: Team, _: unknown, ctx: TeamsContext) => {
      requireManager(team, ctx.identity, true, 'see API tokens');
      return ctx.tokens.listByTeam(team.id);
    },
  },
  TeamToken: {
    createdBy: (token: TeamToken) => ({ __typename: 'User', id: token.createdBy }),
  },
  TeamMember: {
    user: (member: Member) => ({ __typename: 'User', id: member.userId }),
  },
  User: {
    teams: async (user: { id: string }, args: PageArgs, ctx: TeamsContext) => {
      if (!isSelfOrAdmin(ctx.identity, user.id)) throw forbidden("a user's teams are visible to that user and admins only");
      return pageInMemory(await ctx.loaders.teamsOfUser.load(user.id), toPage(args));
    },
  },
};
