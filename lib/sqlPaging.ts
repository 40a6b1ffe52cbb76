import { join, raw, sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { Page } from './pagination';

/**
 * One page per parent for many parents in a single SQL statement: the rows of `table` matching
 * each parent id (through any of `parentColumns`), newest first, at most `page.limit + 1` per parent
 * (the extra row tells whether a next page exists), each tagged with `parent_id`.
 *
 * This is what keeps a list relation (User.projects, User.payments...) to one query per gateway
 * fetch however many parents it lists. `table` and `parentColumns` are identifiers written in code,
 * never input; every value is a bound parameter.
 *
 * `condition`, when given, is one more filter on the rows (a fragment over the alias `t`, e.g. who
 * may see them), applied before paging so every page is full of rows that pass it.
 */
export function pagesByParent(
  table: string,
  parentColumns: readonly string[],
  parentIds: readonly string[],
  page: Page,
  condition?: Sql,
): Sql {
  return sql`
    SELECT * FROM (${rankedRows(table, parentColumns, parentIds, page, condition)}) ranked
    WHERE page_rank <= ${page.limit + 1}
    ORDER BY parent_id, created_at DESC, id DESC`;
}

/** One `pagesByParent` request of `pagesByParentMany`. */
export interface PagesRequest {
  parentColumns: readonly string[];
  parentIds: readonly string[];
  page: Page;
}

/**
 * Several `pagesByParent` requests on one table (a user's payments sent and received, asked by
 * one gateway fetch) in a single statement: the same rows, each also tagged with the index of its
 * request in `page_request`, ordered by request and then as `pagesByParent` orders them.
 */
export function pagesByParentMany(table: string, requests: readonly PagesRequest[]): Sql {
  const branches = requests.map(
    ({ parentColumns, parentIds, page }, index) => sql`
      SELECT ranked.*, ${index}::int AS page_request FROM (${rankedRows(table, parentColumns, parentIds, page)}) ranked
      WHERE page_rank <= ${page.limit + 1}`,
  );
  return sql`
    SELECT * FROM (${join(branches, ' UNION ALL ')}) pages
    ORDER BY page_request, parent_id, created_at DESC, id DESC`;
}

/** Every row of `table` matching one of the parents, tagged with it and ranked newest first within it. */
function rankedRows(table: string, parentColumns: readonly string[], parentIds: readonly string[], page: Page, condition?: Sql): Sql {
  const matches = join(
    parentColumns.map((column) => sql`t.${raw(quoteIdentifier(column))} = parent.id`),
    ' OR ',
  );
  const afterCursor = page.after
    ? sql`AND (t.created_at, t.id) < (${page.after.createdAt}::timestamptz, ${page.after.id}::uuid)`
    : sql``;
  return sql`
      SELECT t.*, parent.id AS parent_id,
             row_number() OVER (PARTITION BY parent.id ORDER BY t.created_at DESC, t.id DESC) AS page_rank
      FROM unnest(${[...parentIds]}::uuid[]) AS parent(id)
      JOIN ${raw(quoteIdentifier(table))} t ON (${matches})
      WHERE TRUE ${afterCursor} ${condition ? sql`AND (${condition})` : sql``}`;
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return `"${name}"`;
}

/** Prisma's `where` fragment for "after this cursor" in newest-first order. */
export function afterCursorWhere(after: Page['after']) {
  if (!after) return {};
  return {
    OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
  };
}

export const NEWEST_FIRST_ORDER = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/**
 * Every row a keyset query reaches, in its key order, a page of `size` at a time: `page(after,
 * take)` returns the rows with keys after `after` (null: from the start) in key order. For bulk
 * readers, which then hold one page at a time whatever the table's size.
 */
export async function* keysetPages<R extends { id: string }>(page: (after: string | null, take: number) => Promise<R[]>, size = 2000): AsyncIterable<R> {
  let after: string | null = null;
  for (;;) {
    const rows = await page(after, size);
    yield* rows;
    if (rows.length < size) return;
    after = rows.at(-1)!.id;
  }
}
