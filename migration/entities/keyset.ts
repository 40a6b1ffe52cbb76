import type { Client } from 'pg';

/** Rows of a query with a `$1` key bound (NULL for the first batch) and `$2` limit, in key order. */
export async function keyset(source: Client, sql: string, after: string | null, limit: number): Promise<Record<string, unknown>[]> {
  return (await source.query(sql, [after, limit])).rows;
}

export async function countRows(source: Client, table: string): Promise<number> {
  return Number((await source.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
}

/** The ids among `ids` that `table` has (an indexed lookup in the source). */
export async function existingIds(db: Client, table: string, ids: readonly string[], column = 'id'): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = (await db.query<{ id: string }>(`SELECT ${column}::text AS id FROM ${table} WHERE ${column} = ANY($1::uuid[])`, [ids])).rows;
  return new Set(rows.map((row) => row.id));
}
