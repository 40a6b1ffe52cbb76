import DataLoader from 'dataloader';
import type { EntityClient } from '../../lib/EntityClient';
import { byIdLoader } from '../../lib/loaders';
import { isId } from '../../lib/validate';
import type { UserProfile } from './domain';
import type { ProfileStore } from './ProfileStore';

/**
 * Made once per request. `profileOfUser` creates missing profiles on first access (the
 * `user.registered` event may have been missed), but only for users the users service confirms
 * exist, so a dangling user id never gets a profile.
 */
export function createLoaders(store: ProfileStore, users: EntityClient, authorization: string | null) {
  return {
    profile: byIdLoader((ids) => store.findByIds(ids)),
    profileOfUser: new DataLoader<string, UserProfile | null>(async (keys) => {
      const userIds = [...new Set(keys.filter(isId).map((id) => id.toLowerCase()))];
      const found = userIds.length > 0 ? await store.findByUserIds(userIds) : [];
      const byUser = new Map(found.map((profile) => [profile.userId, profile]));
      const missing = userIds.filter((id) => !byUser.has(id));
      if (missing.length > 0) {
        const existing = await users.existing(missing, authorization);
        const toCreate = missing.filter((id) => existing.has(id));
        if (toCreate.length > 0) for (const profile of await store.createDefaults(toCreate)) byUser.set(profile.userId, profile);
      }
      return keys.map((key) => (isId(key) ? byUser.get(key.toLowerCase()) ?? null : null));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
