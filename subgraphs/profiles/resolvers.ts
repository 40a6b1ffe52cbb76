import { forbidden, isSelfOrAdmin, requireAuthenticated, type Identity } from '../../lib/auth/identity';
import { badInput, notFound } from '../../lib/errors';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { optionalText, requireId, requireJson } from '../../lib/validate';
import type { JsonObject } from '../../lib/json';
import type { EntityClient } from '../../lib/EntityClient';
import type { Loaders } from './loaders';
import { auditor } from '../../lib/events/audit';
import type { UserProfile } from './domain';
import type { ProfileChanges, ProfileStore } from './ProfileStore';

export interface ProfilesContext extends BaseContext {
  store: ProfileStore;
  users: EntityClient;
  loaders: Loaders;
}

const MAX_PREFERENCES_BYTES = 16_384;
const audit = auditor('profiles');
const PHONE = /^\+?[0-9()\- ]{3,31}$/;

interface UpdateProfileInput {
  avatarUrl?: string | null;
  phone?: string | null;
  address?: string | null;
  bio?: string | null;
  preferences?: unknown;
}

function parseAvatarUrl(value: string | null | undefined): string | null | undefined {
  const text = optionalText(value, 'input.avatarUrl', { max: 2048 });
  if (!text) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('input.avatarUrl', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('input.avatarUrl', 'must be an absolute http(s) URL');
  return text;
}

function parseChanges(input: UpdateProfileInput): ProfileChanges {
  const changes: ProfileChanges = {};
  const avatarUrl = parseAvatarUrl(input.avatarUrl);
  if (avatarUrl !== undefined) changes.avatarUrl = avatarUrl;
  const phone = optionalText(input.phone, 'input.phone', { max: 32 });
  if (phone && !PHONE.test(phone)) throw badInput('input.phone', 'may hold only digits, spaces and + - ( )');
  if (phone !== undefined) changes.phone = phone;
  const address = optionalText(input.address, 'input.address', { max: 500 });
  if (address !== undefined) changes.address = address;
  const bio = optionalText(input.bio, 'input.bio', { max: 2000 });
  if (bio !== undefined) changes.bio = bio;
  if (input.preferences !== undefined) {
    changes.preferences = requireJson(input.preferences, 'input.preferences', { maxBytes: MAX_PREFERENCES_BYTES, object: true }) as JsonObject;
  }
  return changes;
}

/** Contact fields (phone, address) are for the user themselves and admins; the rest for any signed-in caller. */
function contactField(profile: UserProfile, identity: Identity, value: string | null): string | null {
  if (!isSelfOrAdmin(identity, profile.userId)) throw forbidden("a profile's contact fields are visible to that user and admins only");
  return value;
}

export const resolvers: ResolverMap<ProfilesContext> = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Mutation: {
    updateProfile: async (_: unknown, args: { userId: string; input: UpdateProfileInput }, ctx: ProfilesContext) => {
      requireAuthenticated(ctx.identity);
      const userId = requireId(args.userId, 'userId');
      if (!isSelfOrAdmin(ctx.identity, userId)) throw forbidden('only the user themselves or an admin may change a profile');
      const changes = parseChanges(args.input);
      const [existing] = await ctx.store.findByUserIds([userId]);
      if (!existing) {
        const found = await ctx.users.existing([userId], ctx.authorization);
        if (!found.has(userId)) throw notFound('User', userId, 'userId');
      }
      return ctx.store.update(userId, changes, audit(ctx, 'updateProfile', 'UserProfile'));
    },
  },
  UserProfile: {
    __resolveReference: (ref: { id: string }, ctx: ProfilesContext) => {
      requireAuthenticated(ctx.identity);
      return ctx.loaders.profile.load(ref.id);
    },
    user: (profile: UserProfile) => ({ __typename: 'User', id: profile.userId }),
    phone: (profile: UserProfile, _: unknown, ctx: ProfilesContext) => contactField(profile, ctx.identity, profile.phone),
    address: (profile: UserProfile, _: unknown, ctx: ProfilesContext) => contactField(profile, ctx.identity, profile.address),
  },
  User: {
    profile: (user: { id: string }, _: unknown, ctx: ProfilesContext) => {
      requireAuthenticated(ctx.identity);
      return ctx.loaders.profileOfUser.load(user.id);
    },
  },
};
