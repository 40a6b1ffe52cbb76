import { forbidden, isAdmin, isSelfOrAdmin, requireAdmin, requireAuthenticated, requireUser } from '../../lib/auth/identity';
import { badInput, notFound } from '../../lib/errors';
import { toConnection, toPage, type PageArgs } from '../../lib/pagination';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { requireEmail, requireId, requireOneOf, requireText } from '../../lib/validate';
import type { Accounts, Session } from './Accounts';
import type { Loaders } from './loaders';
import { requirePassword } from './passwords';
import { ROLES, type AuditLogEntry, type AuditLogFilter, type User, type UserChanges } from './domain';
import type { UserStore } from './UserStore';
import { auditor } from '../../lib/events/audit';
import type { AuditLogStore } from './AuditLogStore';

export interface UsersContext extends BaseContext {
  store: UserStore;
  auditLog: AuditLogStore;
  accounts: Accounts;
  loaders: Loaders;
}

const audit = auditor('users');

interface AuditLogFilterInput {
  actorId?: string | null;
  action?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const FILTER_TEXT = { max: 100 };

function parseAuditFilter(input: AuditLogFilterInput | null | undefined): AuditLogFilter {
  const filter: AuditLogFilter = {};
  if (!input) return filter;
  if (input.actorId != null) filter.actorId = requireId(input.actorId, 'filter.actorId');
  if (input.action != null) filter.action = requireText(input.action, 'filter.action', FILTER_TEXT);
  if (input.resourceType != null) filter.resourceType = requireText(input.resourceType, 'filter.resourceType', FILTER_TEXT);
  if (input.resourceId != null) filter.resourceId = requireId(input.resourceId, 'filter.resourceId');
  if (input.from != null) filter.from = input.from;
  if (input.to != null) filter.to = input.to;
  if (filter.from && filter.to && filter.from >= filter.to) throw badInput('filter.to', 'must be later than filter.from');
  return filter;
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
  JSON: scalarResolvers.JSON,
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
    _sessionRevocations: async (_: unknown, __: unknown, ctx: UsersContext) =>
      (await ctx.accounts.recentRevocations()).map((revocation) => ({
        userId: revocation.userId,
        notBefore: new Date(revocation.notBefore),
        expiresAt: new Date(revocation.expiresAt),
      })),
    auditLog: async (_: unknown, args: PageArgs & { filter?: AuditLogFilterInput | null }, ctx: UsersContext) => {
      requireAdmin(ctx.identity);
      const page = toPage(args);
      return toConnection(await ctx.auditLog.list(parseAuditFilter(args.filter), page), page.limit);
    },
  },
  Mutation: {
    register: (_: unknown, { input }: { input: { email: string; password: string; name: string } }, ctx: UsersContext) =>
      asSelf(
        ctx.accounts.register({
          email: requireEmail(input.email, 'input.email'),
          password: requirePassword(input.password, 'input.password'),
          name: requireText(input.name, 'input.name', NAME),
        }, ctx.clientIp, audit(ctx, 'register', 'User', true)),
      ),
    login: (_: unknown, { input }: { input: { email: string; password: string } }, ctx: UsersContext) =>
      asSelf(
        ctx.accounts.login(requireEmail(input.email, 'input.email'), requirePassword(input.password, 'input.password'), ctx.clientIp, audit(ctx, 'login', 'User', true)),
      ),
    refreshSession: (_: unknown, args: { refreshToken: string }, ctx: UsersContext) =>
      asSelf(ctx.accounts.refresh(requireText(args.refreshToken, 'refreshToken', REFRESH_TOKEN), audit(ctx, 'refreshSession', 'User', true))),
    logout: (_: unknown, args: { refreshToken: string }, ctx: UsersContext) =>
      ctx.accounts.logout(requireText(args.refreshToken, 'refreshToken', REFRESH_TOKEN), audit(ctx, 'logout', 'User', true)),
    createUser: async (_: unknown, { input }: { input: CreateUserInput }, ctx: UsersContext) => {
      requireAdmin(ctx.identity);
      return ctx.accounts.createAccount(
        {
          email: requireEmail(input.email, 'input.email'),
          password: requirePassword(input.password, 'input.password'),
          name: requireText(input.name, 'input.name', NAME),
        },
        requireOneOf(input.role ?? 'CUSTOMER', 'input.role', ROLES),
        audit(ctx, 'createUser', 'User'),
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
      const user = await ctx.accounts.updateUser(id, changes, audit(ctx, 'updateUser', 'User'));
      if (!user) throw notFound('User', id, 'id');
      return user;
    },
    logoutEverywhere: async (_: unknown, args: { userId?: string | null }, ctx: UsersContext) => {
      const caller = requireUser(ctx.identity);
      const id = args.userId == null ? caller.userId : requireId(args.userId, 'userId');
      if (!isSelfOrAdmin(ctx.identity, id)) throw forbidden("only the user themselves or an admin may end a user's sessions");
      if (!(await ctx.accounts.logoutEverywhere(id, audit(ctx, 'logoutEverywhere', 'User')))) throw notFound('User', id, 'userId');
      return id;
    },
    deleteUser: async (_: unknown, args: { id: string }, ctx: UsersContext) => {
      const id = requireId(args.id, 'id');
      if (!isSelfOrAdmin(ctx.identity, id)) throw forbidden('only the user themselves or an admin may delete a user');
      if (!(await ctx.accounts.deleteAccount(id, audit(ctx, 'deleteUser', 'User')))) throw notFound('User', id, 'id');
      return id;
    },
  },
  AuditLogEntry: {
    occurredAt: (entry: AuditLogEntry) => entry.createdAt,
    actor: (entry: AuditLogEntry, _: unknown, ctx: UsersContext) =>
      entry.actorType === 'USER' && entry.actorId ? ctx.loaders.user.load(entry.actorId) : null,
  },
  User: {
    // Entities are only for callers with a credential (the gateway forwards the client's), so a
    // direct `_entities` call without one learns nothing the gateway would not tell.
    __resolveReference: (ref: { id: string }, ctx: UsersContext) => {
      requireAuthenticated(ctx.identity);
      return ctx.loaders.user.load(ref.id);
    },
    activity: async (user: User, args: PageArgs, ctx: UsersContext) => {
      if (!isSelfOrAdmin(ctx.identity, user.id)) throw forbidden("a user's activity is visible to that user and to admins only");
      const page = toPage(args);
      return toConnection(await ctx.auditLog.list({ actorId: user.id }, page), page.limit);
    },
    email: (user: User, _: unknown, ctx: UsersContext) => {
      if (!SIGNED_IN.has(user) && !isSelfOrAdmin(ctx.identity, user.id)) throw forbidden("a user's email is visible to that user and to admins only");
      return user.email;
    },
  },
};
