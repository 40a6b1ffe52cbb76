import { notFound } from '../../lib/errors';
import { toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { requireEmail, requireId, requireOneOf, requireText } from '../../lib/validate';
import type { Loaders } from './loaders';
import { ROLES, type UserChanges, type UserStore } from './store';

export interface UsersContext extends BaseContext {
  store: UserStore;
  loaders: Loaders;
}

interface CreateUserInput {
  email: string;
  name: string;
  role?: string | null;
}

interface UpdateUserInput {
  name?: string | null;
  role?: string | null;
  emailVerified?: boolean | null;
}

export const resolvers: ResolverMap<UsersContext> = {
  DateTime: scalarResolvers.DateTime,
  Query: {
    user: (_: unknown, args: { id: string }, ctx: UsersContext) => ctx.loaders.user.load(requireId(args.id, 'id')),
    users: async (_: unknown, args: PageArgs, ctx: UsersContext) => {
      const page = toPage(args);
      return toConnection(await ctx.store.list(page), page.limit);
    },
  },
  Mutation: {
    createUser: (_: unknown, { input }: { input: CreateUserInput }, ctx: UsersContext) =>
      ctx.store.create({
        email: requireEmail(input.email, 'input.email'),
        name: requireText(input.name, 'input.name', { max: 100 }),
        role: requireOneOf(input.role ?? 'CUSTOMER', 'input.role', ROLES),
      }),
    updateUser: async (_: unknown, args: { id: string; input: UpdateUserInput }, ctx: UsersContext) => {
      const id = requireId(args.id, 'id');
      const changes: UserChanges = {};
      if (args.input.name != null) changes.name = requireText(args.input.name, 'input.name', { max: 100 });
      if (args.input.role != null) changes.role = requireOneOf(args.input.role, 'input.role', ROLES);
      if (args.input.emailVerified != null) changes.emailVerified = args.input.emailVerified;
      const user = await ctx.store.update(id, changes);
      if (!user) throw notFound('User', id);
      return user;
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: UsersContext) => ctx.loaders.user.load(ref.id),
  },
};
