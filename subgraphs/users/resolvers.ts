import { forbidden, isAdmin, isSelfOrAdmin, requireAdmin, requireAuthenticated, requireUser } from '../../lib/auth/identity';
import { notFound } from '../../lib/errors';
import { toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { requireEmail, requireId, requireOneOf, requireText } from '../../lib/validate';
import type { Accounts, Session } from './Accounts';
import type { Loaders } from './loaders';
import { requirePassword } from './passwords';
import { ROLES, type User, type UserChanges, type UserStore } from './store';

export interface UsersContext extends BaseContext {
  store: UserStore;
  accounts: Accounts;
  loaders: Loaders;
}

interface CreateUserInput {
  email: string;
  name: string;
  password: string;
  role?: string | null;
}

interface UpdateUserInput {
  name?: string | null;
  role?: string | null;
  emailVerified?: boolean | null;
}

const NAME = { max: 100 };

/**
 * The user of a session just started (register, login, refresh) is the caller themselves, though the
 * request came without a token: they may read their own email in the answer. Marked per object, so
 * it covers that answer only.
 */
const SIGNED_IN = new WeakSet<object>();

async function asSelf(session: Promise<Session>): Promise<Session> {
  const started = await session;
  const user = { ...started.user };
  SIGNED_IN.add(user);
  return { ...started, user };
}
/** A refresh token is `<uuid>.<43 base64url characters>`; anything much longer is not one. */
const REFRESH_TOKEN = { max: 200 };

export const resolvers: ResolverMap<UsersContext> = {
  DateTime: scalarResolvers.DateTime,
  Query: {
    me: (_: unknown, __: unknown, ctx: UsersContext) => ctx.loaders.user.load(requireUser(ctx.identity).userId),
    user: (_: unknown, args: { id: string }, ctx: UsersContext) => {
      // Users look users up; a team token reaches users only through its team's data.
      requireUser(ctx.identity);
      return ctx.loaders.user.load(requireId(args.id, 'id'));
    },
    users: async (_: unknown, args: PageArgs, ctx: UsersContext) => {
      requireAdmin(ctx.identity);
      const page = toPage(args);
      return toConnection(await ctx.store.list(page), page.limit);
    },
  },
  Mutation: {
    register: (_: unknown, { input }: { input: { email: string; password: string; name: string } }, ctx: UsersContext) =>
      asSelf(
        ctx.accounts.register({
          email: requireEmail(input.email, 'input.email'),
          password: requirePassword(input.password, 'input.password'),
          name: requireText(input.name, 'input.name', NAME),
        }, ctx.clientIp),
      ),
    login: (_: unknown, { input }: { input: { email: string; password: string } }, ctx: UsersContext) =>
      asSelf(ctx.accounts.login(requireEmail(input.email, 'input.email'), requirePassword(input.password, 'input.password'), ctx.clientIp)),
    refreshSession: (_: unknown, args: { refreshToken: string }, ctx: UsersContext) =>
      asSelf(ctx.accounts.refresh(requireText(args.refreshToken, 'refreshToken', REFRESH_TOKEN))),
    logout: (_: unknown, args: { refreshToken: string }, ctx: UsersContext) =>
      ctx.accounts.logout(requireText(args.refreshToken, 'refreshToken', REFRESH_TOKEN)),
    createUser: async (_: unknown, { input }: { input: CreateUserInput }, ctx: UsersContext) => {
      requireAdmin(ctx.identity);
      return ctx.accounts.createAccount(
        {
          email: requireEmail(input.email, 'input.email'),
          password: requirePassword(input.password, 'input.password'),
          name: requireText(input.name, 'input.name', NAME),
        },
        requireOneOf(input.role ?? 'CUSTOMER', 'input.role', ROLES),
      );
    },
    updateUser: async (_: unknown, args: { id: string; input: UpdateUserInput }, ctx: UsersContext) => {
      const id = requireId(args.id, 'id');
      if (!isSelfOrAdmin(ctx.identity, id)) throw forbidden('only the user themselves or an admin may change a user');
      const changes: UserChanges = {};
      if (args.input.name != null) changes.name = requireText(args.input.name, 'input.name', NAME);
      if (args.input.role != null || args.input.emailVerified != null) {
        if (!isAdmin(ctx.identity)) throw forbidden('only admins may change a role or the email-verified flag');
        if (args.input.role != null) changes.role = requireOneOf(args.input.role, 'input.role', ROLES);
        if (args.input.emailVerified != null) changes.emailVerified = args.input.emailVerified;
      }
      const user = await ctx.store.update(id, changes);
      if (!user) throw notFound('User', id, 'id');
      return user;
    },
  },
  User: {
    // Entities are only for callers with a credential (the gateway forwards the client's), so a
    // direct `_entities` call without one learns nothing the gateway would not tell.
    __resolveReference: (ref: { id: string }, ctx: UsersContext) => {
      requireAuthenticated(ctx.identity);
      return ctx.loaders.user.load(ref.id);
    },
    email: (user: User, _: unknown, ctx: UsersContext) => {
      if (!SIGNED_IN.has(user) && !isSelfOrAdmin(ctx.identity, user.id)) throw forbidden("a user's email is visible to that user and to admins only");
      return user.email;
    },
  },
};
