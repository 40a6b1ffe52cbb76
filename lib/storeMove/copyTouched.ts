import type { MoveAdapters, Touch } from './types';

/**
 * Copies the current state of the touched records from one store to the other, kind by kind in
 * the order given (a team before its tokens): `get` from `source`, `putIfNewer` into `target`.
 * Safe to repeat and to run late: the target keeps whichever state is newer.
 */
export async function copyTouched(source: MoveAdapters, target: MoveAdapters, touches: readonly Touch[]): Promise<number> {
  let changed = 0;
  for (const touch of touches) {
    if (touch.ids.length === 0) continue;
    const from = adapterOf(source, touch.kind);
    const records = await from.get(touch.ids);
    if (records.length > 0) changed += await adapterOf(target, touch.kind).putIfNewer(records);
  }
  return changed;
}

export function adapterOf(adapters: MoveAdapters, kind: string) {
  const adapter = adapters[kind];
  if (!adapter) throw new Error(`no move adapter for the record kind "${kind}"`);
  return adapter;
}
