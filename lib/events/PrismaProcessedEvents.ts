import { sqltag as sql } from '@prisma/client/runtime/client';
import type { DomainEvent } from './DomainEvent';
import { markProcessed, type RawSql } from './PrismaOutbox';
import type { ProcessedEvents } from './ProcessedEvents';

/**
 * The events a PostgreSQL service has handled, for consumers whose effect spans several
 * transactions (each team a user leaves is its own change): as on MongoDB, the effect is
 * idempotent and the event is remembered after it. Effects of one transaction use `runOnce`.
 */
export class PrismaProcessedEvents implements ProcessedEvents {
  constructor(private readonly db: RawSql) {}

  async once(event: Pick<DomainEvent, 'id' | 'type'>, effect: () => Promise<unknown>): Promise<boolean> {
    const seen = await this.db.$queryRaw<unknown[]>(sql`SELECT 1 FROM processed_events WHERE event_id = ${event.id}::uuid`);
    if (seen.length > 0) return false;
    await effect();
    await markProcessed(this.db, event);
    return true;
  }
}
