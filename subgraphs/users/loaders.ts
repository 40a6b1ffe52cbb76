import { byIdLoader } from '../../lib/loaders';
import type { UserStore } from './UserStore';

/** Made once per request, when its context is built. */
export function createLoaders(store: UserStore) {
  return {
    user: byIdLoader((ids) => store.findByIds(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
