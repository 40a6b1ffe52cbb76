import { notFound } from '../../lib/errors';
import type { EntityClient } from '../../lib/EntityClient';
import { toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { optionalText, requireId, requireJson, requireOneOf, requireText } from '../../lib/validate';
import type { Prisma } from '../../prisma/projects/generated/client';
import type { Loaders } from './loaders';
import { PROJECT_TYPES, type Project, type ProjectChanges, type ProjectStore, type ProjectVersion } from './store';

export interface ProjectsContext extends BaseContext {
  store: ProjectStore;
  users: EntityClient;
  teams: EntityClient;
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
  ownerId: string;
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
  authorId: string;
}

export const resolvers: ResolverMap<ProjectsContext> = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Query: {
    project: (_: unknown, args: { id: string }, ctx: ProjectsContext) => ctx.loaders.project.load(requireId(args.id, 'id')),
    projects: async (_: unknown, args: ProjectsArgs, ctx: ProjectsContext) => {
      const page = toPage(args);
      const filter = {
        ...(args.ownerId != null ? { ownerId: requireId(args.ownerId, 'ownerId') } : {}),
        ...(args.teamId != null ? { teamId: requireId(args.teamId, 'teamId') } : {}),
      };
      return toConnection(await ctx.store.list(filter, page), page.limit);
    },
  },
  Mutation: {
    createProject: async (_: unknown, { input }: { input: CreateProjectInput }, ctx: ProjectsContext) => {
      const name = requireText(input.name, 'input.name', NAME);
      const type = requireOneOf(input.type, 'input.type', PROJECT_TYPES);
      const ownerId = requireId(input.ownerId, 'input.ownerId');
      const teamId = input.teamId != null ? requireId(input.teamId, 'input.teamId') : null;
      await ctx.users.requireExisting({ 'input.ownerId': ownerId }, ctx.authorization);
      if (teamId) await ctx.teams.requireExisting({ 'input.teamId': teamId }, ctx.authorization);
      return ctx.store.create({ name, type, ownerId, teamId });
    },
    updateProject: async (_: unknown, args: { id: string; input: UpdateProjectInput }, ctx: ProjectsContext) => {
      const id = requireId(args.id, 'id');
      const changes: ProjectChanges = {};
      if (args.input.name != null) changes.name = requireText(args.input.name, 'input.name', NAME);
      if (args.input.type != null) changes.type = requireOneOf(args.input.type, 'input.type', PROJECT_TYPES);
      if (args.input.teamId === null) changes.teamId = null;
      else if (args.input.teamId !== undefined) {
        changes.teamId = requireId(args.input.teamId, 'input.teamId');
        await ctx.teams.requireExisting({ 'input.teamId': changes.teamId }, ctx.authorization);
      }
      const project = await ctx.store.update(id, changes);
      if (!project) throw notFound('Project', id);
      return project;
    },
    deleteProject: async (_: unknown, args: { id: string }, ctx: ProjectsContext) => {
      const id = requireId(args.id, 'id');
      if (!(await ctx.store.delete(id))) throw notFound('Project', id);
      return id;
    },
    commitProjectVersion: async (_: unknown, { input }: { input: CommitInput }, ctx: ProjectsContext) => {
      const projectId = requireId(input.projectId, 'input.projectId');
      const authorId = requireId(input.authorId, 'input.authorId');
      const document = requireJson(input.document, 'input.document', { maxBytes: MAX_DOCUMENT_BYTES }) as Prisma.InputJsonValue;
      const message = optionalText(input.message, 'input.message', MESSAGE) ?? null;
      await ctx.users.requireExisting({ 'input.authorId': authorId }, ctx.authorization);
      const version = await ctx.store.commitVersion({ projectId, document, message, authorId });
      if (!version) throw notFound('Project', projectId);
      return version;
    },
  },
  Project: {
    __resolveReference: (ref: { id: string }, ctx: ProjectsContext) => ctx.loaders.project.load(ref.id),
    owner: (project: Project) => ({ __typename: 'User', id: project.ownerId }),
    team: (project: Project) => (project.teamId ? { __typename: 'Team', id: project.teamId } : null),
    latestVersion: (project: Project, _: unknown, ctx: ProjectsContext) => ctx.loaders.latestVersion.load(project),
    versions: (project: Project, args: PageArgs, ctx: ProjectsContext) =>
      ctx.loaders.versionsOfProject.load(project.id, toPage(args)),
  },
  ProjectVersion: {
    __resolveReference: (ref: { id: string }, ctx: ProjectsContext) => ctx.loaders.version.load(ref.id),
    author: (version: ProjectVersion) => (version.authorId ? { __typename: 'User', id: version.authorId } : null),
    project: (version: ProjectVersion, _: unknown, ctx: ProjectsContext) => ctx.loaders.project.load(version.projectId),
  },
  User: {
    projects: (user: { id: string }, args: PageArgs, ctx: ProjectsContext) =>
      ctx.loaders.projectsOfOwner.load(user.id, toPage(args)),
  },
  Team: {
    projects: (team: { id: string }, args: PageArgs, ctx: ProjectsContext) =>
      ctx.loaders.projectsOfTeam.load(team.id, toPage(args)),
  },
};
