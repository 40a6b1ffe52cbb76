import { byIdLoader, groupLoader } from '../../lib/loaders';
import type { TeamStore } from './TeamStore';

/** Made once per request, when its context is built. */
export function createLoaders(store: TeamStore) {
  return {
    team: byIdLoader((ids) => store.findByIds(ids)),
    /** All teams of each user (a user's teams are few; they are paged in memory). */
    teamsOfUser: groupLoader(
      (userIds) => store.findByMembers(userIds),
      (team) => team.members.map((member) => member.userId),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
