import DataLoader from 'dataloader';
import { isId } from './validate';
import { pageKey, toConnection, type Connection, type Page } from './pagination';

/**
 * A per-request loader of entities by id: one batched store call per tick, whatever the number of
 * ids, answered in key order with `null` for ids that do not exist. Malformed ids resolve to `null`
 * without reaching the database (a dangling or bad reference is not an error).
 */
export function byIdLoader<T extends { id: string }>(
  fetch: (ids: readonly string[]) => Promise<T[]>,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (keys) => {
    const ids = keys.filter(isId).map((id) => id.toLowerCase());
    const found = ids.length > 0 ? await fetch([...new Set(ids)]) : [];
    const byId = new Map(found.map((item) => [item.id, item]));
    return keys.map((key) => (isId(key) ? byId.get(key.toLowerCase()) ?? null : null));
  });
}

/**
 * A per-request loader of one list per parent id: one batched store call with every parent id,
 * rows grouped under each parent `parentsOf` names (a team belongs to each of its members).
 * Malformed parent ids get an empty list without reaching the database.
 */
export function groupLoader<T>(
  fetch: (parentIds: readonly string[]) => Promise<T[]>,
  parentsOf: (row: T) => readonly string[],
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const ids = [...new Set(keys.filter(isId).map((id) => id.toLowerCase()))];
    const rows = ids.length > 0 ? await fetch(ids) : [];
    const groups = new Map<string, T[]>();
    for (const row of rows) {
      for (const parent of parentsOf(row)) {
        const list = groups.get(parent);
        if (list) list.push(row);
        else groups.set(parent, [row]);
      }
    }
    return keys.map((key) => (isId(key) ? groups.get(key.toLowerCase()) ?? [] : []));
  });
}

/**
 * A per-request loader of one page per parent: parents asking for the same page arguments are
 * batched into one store call (`fetch` returns rows tagged with their parent's id, already
 * newest first, at most `limit + 1` per parent).
 */
export function pagedLoader<T extends { id: string; createdAt: Date }>(
  fetch: (parentIds: readonly string[], page: Page) => Promise<Tagged<T>[]>,
) {
  const byPage = new Map<string, DataLoader<string, Tagged<T>[]>>();
  return {
    async load(parentId: string, page: Page): Promise<Connection<T>> {
      const key = pageKey(page);
      let loader = byPage.get(key);
      if (!loader) {
        loader = groupLoader((parentIds) => fetch(parentIds, page), (tagged) => [tagged.parentId]);
        byPage.set(key, loader);
      }
      const tagged = await loader.load(parentId);
      return toConnection(tagged.map((entry) => entry.row), page.limit);
    },
  };
}

/** A row of a per-parent page, with the parent it was fetched for. */
export interface Tagged<T> {
  parentId: string;
  row: T;
}
