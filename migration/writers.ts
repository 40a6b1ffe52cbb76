import type { Client } from 'pg';

/** A target column: its name and the SQL type jsonb_to_recordset reads it as. */
export type Columns = Record<string, string>;

/** `column::type` casts for the enum columns of a table. */
export type Casts = Record<string, string>;

function selectList(columns: Columns, casts: Casts): string {
  return Object.keys(columns)
    .map((column) => (casts[column] ? `x.${column}::${casts[column]}` : `x.${column}`))
    .join(', ');
}

/**
 * Writes rows (keyed by the table's column names) into a PostgreSQL table in one statement: fresh
 * rows are inserted, and any that collide with a row already there (same id or another unique
 * key) are left alone and returned as conflicts; known rows replace what the migration wrote before.
 */
export async function writeRows(db: Client, table: string, columns: Columns, casts: Casts, fresh: Record<string, unknown>[], known: Record<string, unknown>[]): Promise<string[]> {
  const definition = Object.entries(columns).map(([name, type]) => `${name} ${type}`).join(', ');
  const names = Object.keys(columns).join(', ');
  const conflicts: string[] = [];
  if (fresh.length > 0) {
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO ${table} (${names}) SELECT ${selectList(columns, casts)} FROM jsonb_to_recordset($1::jsonb) AS x(${definition})
       ON CONFLICT DO NOTHING RETURNING id::text AS id`,
      [JSON.stringify(fresh)],
    );
    const done = new Set(inserted.rows.map((row) => row.id));
    conflicts.push(...fresh.map((row) => String(row.id)).filter((id) => !done.has(id)));
  }
  if (known.length > 0) {
    const updates = Object.keys(columns).filter((column) => column !== 'id').map((column) => `${column} = EXCLUDED.${column}`).join(', ');
    await db.query(
      `INSERT INTO ${table} (${names}) SELECT ${selectList(columns, casts)} FROM jsonb_to_recordset($1::jsonb) AS x(${definition})
       ON CONFLICT (id) DO UPDATE SET ${updates}`,
      [JSON.stringify(known)],
    );
  }
  return conflicts;
}

export async function readRows(db: Client, sql: string, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  return (await db.query(sql, [ids])).rows;
}

export async function deleteRows(db: Client, table: string, ids: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
}
