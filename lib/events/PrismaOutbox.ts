import { join, sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { DomainEvent } from './DomainEvent';
import type { OutboxSource } from './OutboxRelay';

/** What the outbox needs of a Prisma client or of an interactive transaction's client. */
export interface RawSql {
  $executeRaw(query: Sql): PromiseLike<number>;
  $queryRaw<T = unknown>(query: Sql): PromiseLike<T>;
}

/**
 * Writes events into the service's `outbox_events` table. Call it with the transaction's client,
 * inside the `$transaction` that makes the change: both commit or neither does.
 */
export async function writeOutbox(tx: RawSql, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => sql`(${event.id}::uuid, ${event.type}, ${JSON.stringify(event)}::jsonb)`);
  await tx.$executeRaw(sql`INSERT INTO outbox_events (id, type, event) VALUES ${join(rows)}`);
}

/**
 * Remembers that this service handled an event, in the transaction of the event's effect; false
 * when it already had (a redelivery), and then the caller must not apply the effect again.
 */
export async function markProcessed(tx: RawSql, event: Pick<DomainEvent, 'id' | 'type'>): Promise<boolean> {
  const inserted = await tx.$executeRaw(
    sql`INSERT INTO processed_events (event_id, type) VALUES (${event.id}::uuid, ${event.type}) ON CONFLICT (event_id) DO NOTHING`,
  );
  return inserted === 1;
}

/**
 * Runs an event's effect once: the event id is recorded in the same transaction, so a redelivered
 * event (or one whose first delivery crashed before committing) changes nothing. Returns false
 * when the event had already been handled.
 */
export function runOnce<Tx extends RawSql>(
  db: { $transaction<R>(run: (tx: Tx) => Promise<R>): Promise<R> },
  event: Pick<DomainEvent, 'id' | 'type'>,
  effect: (tx: Tx) => Promise<unknown>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    if (!(await markProcessed(tx, event))) return false;
    await effect(tx);
    return true;
  });
}

/** The outbox table of a PostgreSQL service, as the relay reads it: oldest first, deleted once published. */
export class PrismaOutbox implements OutboxSource {
  constructor(private readonly db: RawSql) {}

  async pending(limit: number): Promise<DomainEvent[]> {
    const rows = await this.db.$queryRaw<{ event: DomainEvent }[]>(sql`SELECT event FROM outbox_events ORDER BY seq LIMIT ${limit}`);
    return rows.map((row) => row.event);
  }

  async backlog(): Promise<{ depth: number; oldestAt: Date | null }> {
    const [row] = await this.db.$queryRaw<{ depth: number; oldest: string | null }[]>(
      sql`SELECT count(*)::int AS depth, min(event->>'occurredAt') AS oldest FROM outbox_events`,
    );
    return { depth: row?.depth ?? 0, oldestAt: row?.oldest ? new Date(row.oldest) : null };
  }

  async markPublished(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.$executeRaw(sql`DELETE FROM outbox_events WHERE id = ANY(${[...ids]}::uuid[])`);
  }
}
