import type { ClientBase } from 'pg';

/** The PostgreSQL type each unnest() parameter array is cast to. */
export type PgType = 'uuid' | 'text' | 'boolean' | 'timestamptz' | 'numeric' | 'jsonb';

/** One value of a generated row: timestamps as epoch milliseconds (clock.ts), decimals and JSON as text. */
export type Value = string | number | boolean | null;

/** A table the generator fills: its schema-qualified name and each column's type, in insert order. */
export interface TableSpec<Row extends Record<string, Value>> {
  name: string;
  columns: { readonly [K in keyof Row]: PgType };
}

/** Per table, so each INSERT's text is built once (pg then sends the same text every batch). */
const insertTexts = new WeakMap<object, string>();

function insertText(spec: TableSpec<Record<string, Value>>): string {
  let text = insertTexts.get(spec);
  if (!text) {
    const entries = Object.entries(spec.columns);
    // Identifiers are written in this module's table specs, never taken from input.
    const names = entries.map(([name]) => name).join(', ');
    // Timestamps travel as epoch milliseconds (float8 keeps them exact) and become timestamptz here.
    const arrays = entries.map(([, type], i) => `$${i + 1}::${type === 'timestamptz' ? 'float8' : type}[]`).join(', ');
    const values = entries.map(([name, type]) => (type === 'timestamptz' ? `to_timestamp(${name} / 1000)` : name)).join(', ');
    text = `INSERT INTO ${spec.name} (${names}) SELECT ${values} FROM unnest(${arrays}) AS given (${names})`;
    insertTexts.set(spec, text);
  }
  return text;
}

/** Text and JSON are quoted in an array literal; every other type here prints without spaces, quotes, commas or braces. */
const QUOTED: ReadonlySet<PgType> = new Set(['text', 'jsonb']);
const SPECIAL = /["\\]/;
const SPECIALS = /["\\]/g;

/**
 * One column as a PostgreSQL array literal ('{a,b,NULL}'), made here with one join() rather than
 * by pg from a JS array (pg regex-escapes every element and grows the literal one `+=` at a
 * time): with millions of elements, that escaping and the garbage it left were a large part of
 * the generator's CPU. Values of the unquoted types come from this module's generators in fixed
 * formats (uuids, numbers, decimals), so they need no escaping.
 */
function arrayLiteral(rows: readonly Record<string, Value>[], column: string, type: PgType): string {
  const quoted = QUOTED.has(type);
  const elements = new Array<string | number>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const value = rows[r]![column];
    if (value === null || value === undefined) elements[r] = 'NULL';
    else if (typeof value === 'boolean') elements[r] = value ? 't' : 'f';
    else if (typeof value === 'number' || !quoted) elements[r] = value;
    else elements[r] = `"${SPECIAL.test(value) ? value.replace(SPECIALS, '\\$&') : value}"`;
  }
  return `{${elements.join(',')}}`;
}

/**
 * Inserts `rows` with one statement whose parameters are one array per column, unnested back
 * into rows by PostgreSQL: one round trip and one parse per batch, however many rows, and no
 * limit on parameters (there are as many as columns). PostgreSQL spends about twice as long per
 * row as on COPY, which would need a driver this project does not have (pg-copy-streams).
 */
export async function insertRows<Row extends Record<string, Value>>(client: ClientBase, spec: TableSpec<Row>, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const params = Object.entries(spec.columns as Record<string, PgType>).map(([column, type]) => arrayLiteral(rows, column, type));
  await client.query(insertText(spec as unknown as TableSpec<Record<string, Value>>), params);
}
