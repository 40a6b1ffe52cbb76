import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientBase } from 'pg';

/** The legacy database's schemas: the only ones the generator creates, and the only ones --reset drops. */
export const LEGACY_SCHEMAS = ['auth', 'payments', 'admin', 'profile'] as const;

/** schema.sql's two parts: before the data is loaded, and after (see the file's header). */
export function legacySchemaSql(): { beforeLoad: string; afterLoad: string } {
  const text = readFileSync(join(__dirname, 'schema.sql'), 'utf8');
  const marker = text.indexOf('-- @after-load');
  if (marker < 0) throw new Error('legacy/schema.sql has lost its "-- @after-load" marker');
  return { beforeLoad: text.slice(0, marker), afterLoad: text.slice(marker) };
}

/** The target already holds something in the legacy schemas and --reset was not given. */
export class TargetNotEmptyError extends Error {
  override readonly name = 'TargetNotEmptyError';
}

/**
 * Makes the four schemas empty and ready: drops them first when `reset` is set; otherwise refuses
 * (TargetNotEmptyError) if any of them holds a table or other relation, saying which and which
 * have rows. Empty schemas that exist already (made by a DBA, say) are fine and are kept.
 */
export async function prepareTarget(client: ClientBase, reset: boolean): Promise<void> {
  if (reset) {
    // CASCADE also drops objects elsewhere that depend on these schemas (a view, a foreign key
    // into auth.users): --reset's help says so.
    await client.query(`DROP SCHEMA IF EXISTS ${LEGACY_SCHEMAS.join(', ')} CASCADE`);
    return;
  }
  const { rows } = await client.query<{ schema: string; name: string; kind: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      ORDER BY 1, 2`,
    [[...LEGACY_SCHEMAS]],
  );
  if (rows.length === 0) return;
  const described: string[] = [];
  for (const row of rows) {
    const qualified = `${row.schema}.${row.name}`;
    if (row.kind === 'r' || row.kind === 'p') {
      // Names come from the catalogue; quoted as identifiers all the same.
      const quoted = `"${row.schema.replace(/"/g, '""')}"."${row.name.replace(/"/g, '""')}"`;
      const { rows: probe } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quoted}) AS any`);
      described.push(`${qualified} (${probe[0]?.any ? 'has rows' : 'empty'})`);
    } else {
      described.push(qualified);
    }
  }
  const shown = described.length > 8 ? [...described.slice(0, 8), `and ${described.length - 8} more`] : described;
  throw new TargetNotEmptyError(
    `the target database already has tables in the legacy schemas: ${shown.join(', ')}. ` +
      `Nothing was changed. Give --reset to drop and recreate the schemas ${LEGACY_SCHEMAS.join(', ')} (everything in them is lost).`,
  );
}
