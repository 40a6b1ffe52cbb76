import { forbidden, isAdmin, requireAuthenticated, requireUser, unauthenticated } from '../../lib/auth/identity';
import { badInput, notFound } from '../../lib/errors';
import type { EntityClient } from '../../lib/EntityClient';
import { toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { optionalText, requireId, requireJson, requireOneOf, requireText } from '../../lib/validate';
import type { JsonValue } from '../../lib/json';
import { selectsField } from '../../lib/selectsField';
import type { GraphQLResolveInfo } from 'graphql';
import { canSee, requireManager, requireVisible, visibilityScope } from './access';
import type { Loaders } from './loaders';
import { PROJECT_TYPES, type Project, type ProjectVersion } from './domain';
import type { ProjectChanges, ProjectStore } from './ProjectStore';
import type { TeamMembership } from './TeamMembership';
import { auditor } from '../../lib/events/audit';

const audit = auditor('projects');

export interface ProjectsContext extends BaseContext {
  store: ProjectStore;
  users: EntityClient;
  teams: EntityClient;
  /** The caller's teams, asked of the teams service lazily, at most once per request. */
  membership: TeamMembership;
  loaders: Loaders;
}

const NAME = { max: 100 };
const MESSAGE = { max: 500 };
/** A schema document may be large, but one commit must not be able to fill the database. */
export const MAX_DOCUMENT_BYTES = 1_000_000;

interface ProjectsArgs extends PageArgs {
  ownerId?: string | null;
  teamId?: string | null;
}

interface CreateProjectInput {
  name: string;
  type: string;
  teamId?: string | null;
}

interface UpdateProjectInput {
  name?: string | null;
  type?: string | null;
  teamId?: string | null;
}

interface CommitInput {
  projectId: string;
  document: unknown;
  message?: string | null;
}

/** The project, which must exist (NOT_FOUND) and be visible to the caller (FORBIDDEN). */
async function visibleProject(ctx: ProjectsContext, id: string, field: string): Promise<Project> {
  const project = await ctx.loaders.project.load(id);
  if (!project) throw notFound('Project', id, field);
  await requireVisible(project, ctx.identity, ctx.membership);
  return project;
}

/**
 * A valid access token outlives nothing it should not: the user it names must still exist before
 * they become a project's owner or a version's author (no dangling references are written).
 */
async function requireExistingAccount(ctx: ProjectsContext, userId: string): Promise<void> {
  if (!(await ctx.users.existing([userId], ctx.authorization)).has(userId)) throw unauthenticated('the signed-in account no longer exists');
}

/** A team a signed-in user puts a project in: they must be a member (any role), or an admin (then it must exist). */
async function requireTeamForProject(ctx: ProjectsContext, teamId: string, field: string): Promise<void> {
  if (await ctx.membership.actsIn(teamId)) return;
  if (!isAdmin(ctx.identity)) throw forbidden("only the team's members (and admins) may put a project in a team");
  await ctx.teams.requireExisting({ [field]: teamId }, ctx.authorization);
}

export const resolvers: ResolverMap<ProjectsContext> = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Query: {
    project: async (_: unknown, args: { id: string }, ctx: ProjectsContext) => {
      requireAuthenticated(ctx.identity);
      const project = await ctx.loaders.project.load(requireId(args.id, 'id'));
      if (project) await requireVisible(project, ctx.identity, ctx.membership);
      return project;
    },
    projects: async (_: unknown, args: ProjectsArgs, ctx: ProjectsContext) => {
      requireAuthenticated(ctx.identity);
      const page = toPage(args);
      const filter = {
        ...(args.ownerId != null ? { ownerId: requireId(args.ownerId, 'ownerId') } : {}),
        ...(args.teamId != null ? { teamId: requireId(args.teamId, 'teamId') } : {}),
      };
      // The filters narrow what the caller may see; they never widen it.
      const scope = await visibilityScope(ctx.identity, ctx.membership);
      return toConnection(await ctx.store.list(filter, page, scope), page.limit);
    },
  },
  Mutation: {
    createProject: async (_: unknown, { input }: { input: CreateProjectInput }, ctx: ProjectsContext) => {
      // The owner is whoever signs in; a team token cannot own a project.
      const owner = requireUser(ctx.identity);
      const name = requireText(input.name, 'input.name', NAME);
      const type = requireOneOf(input.type, 'input.type', PROJECT_TYPES);
      const teamId = input.teamId != null ? requireId(input.teamId, 'input.teamId') : null;
      if (teamId) await requireTeamForProject(ctx, teamId, 'input.teamId');
      await requireExistingAccount(ctx, owner.userId);
      return ctx.store.create({ name, type, ownerId: owner.userId, teamId }, audit(ctx, 'createProject', 'Project'));
    },
    updateProject: async (_: unknown, args: { id: string; input: UpdateProjectInput }, ctx: ProjectsContext) => {
      requireUser(ctx.identity);
      const id = requireId(args.id, 'id');
      const changes: ProjectChanges = {};
      if (args.input.name != null) changes.name = requireText(args.input.name, 'input.name', NAME);
      if (args.input.type != null) changes.type = requireOneOf(args.input.type, 'input.type', PROJECT_TYPES);
      if (args.input.teamId === null) changes.teamId = null;
      else if (args.input.teamId !== undefined) changes.teamId = requireId(args.input.teamId, 'input.teamId');
      const current = await visibleProject(ctx, id, 'id');
      await requireManager(current, ctx.identity, ctx.membership, 'change the project');
      if (changes.teamId && changes.teamId !== current.teamId) await requireTeamForProject(ctx, changes.teamId, 'input.teamId');
      // A team project whose owner was deleted belongs to the team: out of it, nobody would own it.
      if (changes.teamId === null && current.ownerId === null) throw badInput('input.teamId', 'this project has no owner (its owner was deleted): it stays in a team');
      const project = await ctx.store.update(id, changes, audit(ctx, 'updateProject', 'Project'));
      if (!project) throw notFound('Project', id);
      return project;
    },
    deleteProject: async (_: unknown, args: { id: string }, ctx: ProjectsContext) => {
      requireUser(ctx.identity);
      const id = requireId(args.id, 'id');
      await requireManager(await visibleProject(ctx, id, 'id'), ctx.identity, ctx.membership, 'delete the project');
      if (!(await ctx.store.delete(id, audit(ctx, 'deleteProject', 'Project')))) throw notFound('Project', id);
      return id;
    },
    commitProjectVersion: async (_: unknown, { input }: { input: CommitInput }, ctx: ProjectsContext) => {
      const caller = requireAuthenticated(ctx.identity);
      const projectId = requireId(input.projectId, 'input.projectId');
      const document = requireJson(input.document, 'input.document', { maxBytes: MAX_DOCUMENT_BYTES }) as JsonValue;
      const message = optionalText(input.message, 'input.message', MESSAGE) ?? null;
      // Whoever may see the project may commit to it: a user as its author, a team token anonymously.
      await visibleProject(ctx, projectId, 'input.projectId');
      const authorId = caller.kind === 'user' ? caller.userId : null;
      if (authorId) await requireExistingAccount(ctx, authorId);
      const version = await ctx.store.commitVersion({ projectId, document, message, authorId }, audit(ctx, 'commitProjectVersion', 'ProjectVersion'));
      if (!version) throw notFound('Project', projectId);
      return version;
    },
  },
  Project: {
    __resolveReference: async (ref: { id: string }, ctx: ProjectsContext) => {
      requireAuthenticated(ctx.identity);
      const project = await ctx.loaders.project.load(ref.id);
      if (project) await requireVisible(project, ctx.identity, ctx.membership);
      return project;
    },
    owner: (project: Project) => (project.ownerId ? { __typename: 'User', id: project.ownerId } : null),
    team: (project: Project) => (project.teamId ? { __typename: 'Team', id: project.teamId } : null),
    // A document may be a megabyte: read only when asked (a dashboard shows the number and message).
    latestVersion: (project: Project, _: unknown, ctx: ProjectsContext, info: GraphQLResolveInfo) =>
      (selectsField(info, 'document') ? ctx.loaders.latestVersion : ctx.loaders.latestVersionSummary).load(project),
    versions: (project: Project, args: PageArgs, ctx: ProjectsContext) =>
      ctx.loaders.versionsOfProject.load(project.id, toPage(args)),
  },
  ProjectVersion: {
    __resolveReference: async (ref: { id: string }, ctx: ProjectsContext) => {
      requireAuthenticated(ctx.identity);
      const version = await ctx.loaders.version.load(ref.id);
      if (!version) return null;
      const project = await ctx.loaders.project.load(version.projectId);
      if (!project) return null;
      if (!(await canSee(project, ctx.identity, ctx.membership))) {
        throw forbidden("a project's versions are visible to whoever may see the project");
      }
      return version;
    },
    author: (version: ProjectVersion) => (version.authorId ? { __typename: 'User', id: version.authorId } : null),
    project: (version: ProjectVersion, _: unknown, ctx: ProjectsContext) => ctx.loaders.project.load(version.projectId),
  },
  User: {
    // Everyone's own projects in full (admins: anyone's); of another user, only those the caller may see.
    projects: (user: { id: string }, args: PageArgs, ctx: ProjectsContext) => {
      requireAuthenticated(ctx.identity);
      return ctx.loaders.projectsOfOwner.load(user.id, toPage(args));
    },
  },
  Team: {
    projects: async (team: { id: string }, args: PageArgs, ctx: ProjectsContext) => {
      requireAuthenticated(ctx.identity);
      if (!isAdmin(ctx.identity) && !(await ctx.membership.actsIn(team.id))) {
        throw forbidden("a team's projects are visible to its members, its API tokens and admins only");
      }
      return ctx.loaders.projectsOfTeam.load(team.id, toPage(args));
    },
  },
};
