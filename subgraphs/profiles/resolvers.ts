import { badInput, notFound } from '../../lib/errors';
import { scalarResolvers } from '../../lib/scalars';
import type { BaseContext, ResolverMap } from '../../lib/subgraphServer';
import { optionalText, requireId, requireJson } from '../../lib/validate';
import type { Prisma } from '../../prisma/profiles/generated/client';
import type { EntityClient } from '../../lib/EntityClient';
import type { Loaders } from './loaders';
import type { ProfileChanges, ProfileStore, UserProfile } from './store';

export interface ProfilesContext extends BaseContext {
  store: ProfileStore;
  users: EntityClient;
  loaders: Loaders;
}

const MAX_PREFERENCES_BYTES = 16_384;
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
    changes.preferences = requireJson(input.preferences, 'input.preferences', { maxBytes: MAX_PREFERENCES_BYTES, object: true }) as Prisma.InputJsonValue;
  }
  return changes;
}

export const resolvers: ResolverMap<ProfilesContext> = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Mutation: {
    updateProfile: async (_: unknown, args: { userId: string; input: UpdateProfileInput }, ctx: ProfilesContext) => {
      const userId = requireId(args.userId, 'userId');
      const changes = parseChanges(args.input);
      const [existing] = await ctx.store.findByUserIds([userId]);
      if (!existing) {
        const found = await ctx.users.existing([userId], ctx.authorization);
        if (!found.has(userId)) throw notFound('User', userId, 'userId');
      }
      return ctx.store.update(userId, changes);
    },
  },
  UserProfile: {
    __resolveReference: (ref: { id: string }, ctx: ProfilesContext) => ctx.loaders.profile.load(ref.id),
    user: (profile: UserProfile) => ({ __typename: 'User', id: profile.userId }),
  },
  User: {
    profile: (user: { id: string }, _: unknown, ctx: ProfilesContext) => ctx.loaders.profileOfUser.load(user.id),
  },
};
