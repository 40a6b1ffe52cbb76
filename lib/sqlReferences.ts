import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type { RawSql } from './events/PrismaOutbox';
import type { Reference } from './references';

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * How a PostgreSQL store counts and pages the references in one uuid column of one of its tables,
 * by the table's uuid `id` (keyset pagination: memory stays flat however big the table, and rows
 * repaired on the way do not shift the scan). `table` and `column` are identifiers written in the
 * store's code, never input.
 */
export function sqlReferences(db: RawSql, table: string, column: string) {
  const t = raw(`"${table}"`);
  const c = raw(`"${column}"`);
  return {
    count: async (): Promise<number> =>
      Number((await db.$queryRaw<{ n: bigint }[]>(sql`SELECT count(*) AS n FROM ${t} WHERE ${c} IS NOT NULL`))[0]!.n),
    scan: async (after: string | null, limit: number): Promise<Reference[]> => {
      const rows = await db.$queryRaw<{ id: string; ref: string }[]>(
        sql`SELECT id::text AS id, ${c}::text AS ref FROM ${t} WHERE ${c} IS NOT NULL AND id > ${after ?? FIRST_UUID}::uuid ORDER BY id LIMIT ${limit}`,
      );
      return rows.map((row) => ({ source: row.id, target: row.ref }));
    },
  };
}
