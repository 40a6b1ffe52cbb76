import { sqltag as sql } from '@prisma/client/runtime/client';
import type { DomainEvent } from './DomainEvent';
import { markProcessed, type RawSql } from './PrismaOutbox';
import type { ProcessedEvents } from './ProcessedEvents';
import type { MoveAdapter } from '../storeMove/types';
import type { ProcessedEventRecord } from './MongoProcessedEvents';
import { isId } from '../validate';

interface ProcessedRow {
  event_id: string;
  type: string;
  processed_at: Date;
}
const toRecord = (row: ProcessedRow): ProcessedEventRecord => ({ id: row.event_id, type: row.type, processedAt: row.processed_at });

/**
 * The events a PostgreSQL service has handled, for consumers whose effect spans several
 * transactions (each team a user leaves is its own change): as on MongoDB, the effect is
 * idempotent and the event is remembered after it. Effects of one transaction use `runOnce`.
 */
export class PrismaProcessedEvents implements ProcessedEvents {
  constructor(private readonly db: RawSql) {}

  /** The handled events as a store move copies them; putIfNewer inserts those absent (they never change). */
  moveAdapter(): MoveAdapter<ProcessedEventRecord> {
    return {
      scan: async (afterId, limit) =>
        (
          await this.db.$queryRaw<ProcessedRow[]>(
            afterId
              ? sql`SELECT event_id::text, type, processed_at FROM processed_events WHERE event_id > ${afterId}::uuid ORDER BY event_id LIMIT ${limit}`
              : sql`SELECT event_id::text, type, processed_at FROM processed_events ORDER BY event_id LIMIT ${limit}`,
          )
        ).map(toRecord),
      get: async (ids) =>
        (await this.db.$queryRaw<ProcessedRow[]>(sql`SELECT event_id::text, type, processed_at FROM processed_events WHERE event_id = ANY(${ids.filter(isId)}::uuid[])`)).map(toRecord),
      count: async () => (await this.db.$queryRaw<{ n: number }[]>(sql`SELECT count(*)::int AS n FROM processed_events`))[0]?.n ?? 0,
      putIfNewer: async (records) => {
        let inserted = 0;
        for (const r of records) {
          inserted += await this.db.$executeRaw(
            sql`INSERT INTO processed_events (event_id, type, processed_at) VALUES (${r.id}::uuid, ${r.type}, ${r.processedAt}) ON CONFLICT (event_id) DO NOTHING`,
          );
        }
        return inserted;
      },
    };
  }

  async once(event: Pick<DomainEvent, 'id' | 'type'>, effect: () => Promise<unknown>): Promise<boolean> {
    const seen = await this.db.$queryRaw<unknown[]>(sql`SELECT 1 FROM processed_events WHERE event_id = ${event.id}::uuid`);
    if (seen.length > 0) return false;
    await effect();
    await markProcessed(this.db, event);
    return true;
  }
}
