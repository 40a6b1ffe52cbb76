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
  // One store call per page arguments; one that fails fails only its own parents' loads.
  const pages = pagesLoader<'page', T>(async (batches) =>
    (await Promise.allSettled(batches.map((batch) => fetch(batch.parentIds, batch.page)))).map((settled) =>
      settled.status === 'fulfilled' ? settled.value : settled.reason instanceof Error ? settled.reason : new Error(String(settled.reason)),
    ),
  );
  return {
    load: (parentId: string, page: Page): Promise<Connection<T>> => pages.load('page', parentId, page),
  };
}

/** The parents of one `pagesLoader` tick that ask for one kind of list with the same page arguments. */
export interface PagesBatch<K extends string> {
  kind: K;
  parentIds: readonly string[];
  page: Page;
}

/**
 * A per-request loader of one page per parent and kind of list (a user's payments SENT and
 * RECEIVED): every load of one tick is one `fetch` call, given a batch per kind and page arguments,
 * so a store can answer a gateway fetch that asks several such lists in one query. `fetch`
 * answers each batch with its rows tagged with their parent's id (newest first, at most
 * `limit + 1` per parent), or an Error that fails that batch's loads. Malformed parent ids get an
 * empty page without reaching the database.
 */
export function pagesLoader<K extends string, T extends { id: string; createdAt: Date }>(
  fetch: (batches: readonly PagesBatch<K>[]) => Promise<readonly (readonly Tagged<T>[] | Error)[]>,
) {
  type Key = { kind: K; parentId: string; page: Page };
  const batchKey = (key: Key) => `${key.kind}|${pageKey(key.page)}`;
  const loader = new DataLoader<Key, T[], string>(
    async (keys) => {
      const batches = new Map<string, { kind: K; page: Page; parentIds: Set<string> }>();
      for (const key of keys) {
        if (!isId(key.parentId)) continue;
        const name = batchKey(key);
        let batch = batches.get(name);
        if (!batch) {
          batch = { kind: key.kind, page: key.page, parentIds: new Set() };
          batches.set(name, batch);
        }
        batch.parentIds.add(key.parentId.toLowerCase());
      }
      const names = [...batches.keys()];
      const answers = names.length > 0 ? await fetch(names.map((name) => ({ ...batches.get(name)!, parentIds: [...batches.get(name)!.parentIds] }))) : [];
      const groups = new Map<string, Map<string, T[]> | Error>();
      names.forEach((name, index) => {
        const answer = answers[index];
        if (answer instanceof Error || answer === undefined) {
          groups.set(name, answer ?? new Error('the store answered fewer batches than it was asked'));
          return;
        }
        const byParent = new Map<string, T[]>();
        for (const { parentId, row } of answer) {
          const list = byParent.get(parentId);
          if (list) list.push(row);
          else byParent.set(parentId, [row]);
        }
        groups.set(name, byParent);
      });
      return keys.map((key) => {
        if (!isId(key.parentId)) return [];
        const group = groups.get(batchKey(key))!;
        return group instanceof Error ? group : group.get(key.parentId.toLowerCase()) ?? [];
      });
    },
    { cacheKeyFn: (key) => `${batchKey(key)}|${key.parentId}` },
  );
  return {
    async load(kind: K, parentId: string, page: Page): Promise<Connection<T>> {
      return toConnection(await loader.load({ kind, parentId, page }), page.limit);
    },
  };
}

/** A row of a per-parent page, with the parent it was fetched for. */
export interface Tagged<T> {
  parentId: string;
  row: T;
}
