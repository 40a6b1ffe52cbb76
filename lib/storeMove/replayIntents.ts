import { copyTouched } from './copyTouched';
import type { MoveStateStore } from './MoveStateStore';
import type { MoveAdapters, StoreEngine } from './types';

/**
 * Copies the records of every intent left in the journal (writes whose instance died before
 * mirroring them, mirrors that failed) from their source to their target, and clears them.
 * Returns how many intents it replayed.
 */
export async function replayIntents(store: MoveStateStore, service: string, adapters: Readonly<Record<StoreEngine, MoveAdapters>>): Promise<number> {
  let replayed = 0;
  const before = new Date();
  for (;;) {
    const intents = await store.intents(service, before, 100);
    if (intents.length === 0) return replayed;
    for (const intent of intents) {
      await copyTouched(adapters[intent.source], adapters[intent.target], intent.touches);
      await store.clearIntent(intent.id);
      replayed += 1;
    }
  }
}
