import { Pool, type PoolClient } from 'pg';
import { createLogger, type Logger } from '../logger';
import type { DomainEvent } from './DomainEvent';
import { DEFAULT_MAX_ATTEMPTS, reasonOf, retryDelayMs, type EventHandler, type EventTransport, type SubscribeOptions, type Subscription } from './EventTransport';

/**
 * `events` is the log (one row per event id: a republished event is stored once); `deliveries`
 * what each consumer did with an event. No row: not delivered yet; `pending`: failed `attempts`
 * times, will be retried; `done`; `dead`: failed `maxAttempts` times, `last_error` says why.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq         bigserial   NOT NULL UNIQUE,
  id          uuid        PRIMARY KEY,
  type        text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  source      text        NOT NULL,
  payload     jsonb       NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type_seq ON events (type, seq);
CREATE TABLE IF NOT EXISTS deliveries (
  consumer   text    NOT NULL,
  event_id   uuid    NOT NULL REFERENCES events (id),
  attempts   int     NOT NULL,
  last_error text,
  status     text    NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
  PRIMARY KEY (consumer, event_id)
);
-- When a failed delivery may be tried again (backoff: see retryDelayMs).
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS retry_at timestamptz;
-- The envelope's trace context (DomainEvent.trace), null for events made outside a trace.
ALTER TABLE events ADD COLUMN IF NOT EXISTS trace jsonb;`;

/** Serialises schema creation between processes starting at once (CREATE ... IF NOT EXISTS races). */
const SCHEMA_LOCK = 'schemaflow.events.schema';

export interface PostgresTransportOptions {
  logger?: Logger;
  /** Pause between polls of a consumer that found nothing to do. */
  pollIntervalMs?: number;
  /** How long getting a connection may take before a call fails. */
  connectTimeoutMs?: number;
}

interface EventRow {
  id: string;
  type: string;
  occurred_at: Date;
  source: string;
  payload: Record<string, unknown>;
  trace: DomainEvent['trace'] | null;
  attempts: number | null;
}

function toEvent(row: EventRow): DomainEvent {
  return { id: row.id, type: row.type, occurredAt: row.occurred_at.toISOString(), source: row.source, payload: row.payload, ...(row.trace ? { trace: row.trace } : {}) };
}


/** Events a consumer takes per transaction. */
const BATCH = 10;

/**
 * The transport where no broker is configured (`npm start` on one machine), with the promises of
 * ./EventTransport.ts kept by PostgreSQL, in a database of its own: `publish` is one INSERT
 * (committed = durable); each consumer polls for events of its types it has not finished, under a
 * per-consumer transaction-scoped advisory lock (so two processes of one consumer never take the
 * same event), runs the handler and records the outcome in the same transaction. A crash before
 * COMMIT leaves the event undelivered for that consumer: it comes again (at least once).
 * Unlike a broker queue, the log keeps every event, so a consumer subscribing late still gets
 * the events published before. Retries come after fresh events (like a requeue to the tail).
 */
export class PostgresTransport implements EventTransport {
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly pollIntervalMs: number,
  ) {
    // An idle client whose server went away must not crash the process; the next query fails instead.
    pool.on('error', (error) => logger.warn('event store connection lost', error));
  }

  /** Connects to the event database (made beforehand, e.g. with prisma/migrate.ts ensureDatabase) and creates the tables. */
  static async connect(url: string, options: PostgresTransportOptions = {}): Promise<PostgresTransport> {
    const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
    const logger = options.logger ?? createLogger('events');
    const transport = new PostgresTransport(pool, logger, options.pollIntervalMs ?? 100);
    try {
      // PostgreSQL may still pick this transaction as a deadlock's victim (40P01, seen once with six
      // processes starting at once while others already relay): the schema is idempotent, try again.
      for (let attempt = 1; ; attempt++) {
        try {
          await transport.inTransaction(async (client) => {
            await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SCHEMA_LOCK]);
            await client.query(SCHEMA);
          });
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== '40P01' || attempt === 3) throw error;
        }
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      const where = new URL(url);
      throw new Error(`cannot open the PostgreSQL event store at ${where.host}${where.pathname}: ${reasonOf(error)}`, { cause: error });
    }
    return transport;
  }

  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('PostgreSQL event transport is closed');
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.inTransaction((client) =>
        client.query(
          `INSERT INTO events (id, type, occurred_at, source, payload, trace)
           SELECT id, type, occurred_at, source, payload, trace
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY
             AS e(id, type, occurred_at, source, payload, trace, position)
           ORDER BY position
           ON CONFLICT (id) DO NOTHING`,
          [
            events.map((event) => event.id),
            events.map((event) => event.type),
            events.map((event) => event.occurredAt),
            events.map((event) => event.source),
            events.map((event) => JSON.stringify(event.payload)),
            events.map((event) => (event.trace ? JSON.stringify(event.trace) : null)),
          ],
        ),
      );
    } catch (error) {
      throw new Error(`PostgreSQL event store did not take the events: ${reasonOf(error)}`, { cause: error });
    }
  }

  async subscribe(consumer: string, types: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new Error('PostgreSQL event transport is closed');
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    let running: Promise<void> = Promise.resolve();

    /** One batch under the consumer's lock; returns how many events it handled. */
    const pass = () =>
      this.inTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [consumer]);
        const { rows } = await client.query<EventRow>(
          `SELECT e.id, e.type, e.occurred_at, e.source, e.payload, e.trace, d.attempts
           FROM events e
           LEFT JOIN deliveries d ON d.consumer = $1 AND d.event_id = e.id
           WHERE e.type = ANY($2::text[])
             AND (d.status IS NULL OR (d.status = 'pending' AND (d.retry_at IS NULL OR d.retry_at <= now())))
           ORDER BY coalesce(d.attempts, 0), e.seq
           LIMIT ${BATCH}`,
          [consumer, types],
        );
        for (const row of rows) {
          if (stopped) break;
          const attempts = (row.attempts ?? 0) + 1;
          let status: 'done' | 'pending' | 'dead' = 'done';
          let lastError: string | null = null;
          try {
            await handler(toEvent(row), { attempt: attempts, maxAttempts });
          } catch (error) {
            lastError = reasonOf(error);
            status = attempts >= maxAttempts ? 'dead' : 'pending';
          }
          const retryAt = status === 'pending' ? new Date(Date.now() + retryDelayMs(attempts)) : null;
          await client.query(
            `INSERT INTO deliveries (consumer, event_id, attempts, last_error, status, retry_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = $3, last_error = $4, status = $5, retry_at = $6`,
            [consumer, row.id, attempts, lastError, status, retryAt],
          );
        }
        return rows.length;
      });

    const tick = () => {
      if (stopped) return;
      let again = false;
      running = pass()
        .then((handled) => {
          again = handled === BATCH;
        })
        .catch((error: unknown) => this.logger.warn(`consumer ${consumer}: polling failed, will retry`, error))
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, again ? 0 : this.pollIntervalMs);
        });
    };
    tick();

    const subscription: Subscription = {
      stop: async () => {
        stopped = true;
        this.subscriptions.delete(subscription);
        if (timer) clearTimeout(timer);
        await running;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async oldestUnfinished(consumer: string, types: readonly string[]): Promise<Date | null> {
    const { rows } = await this.pool.query<{ oldest: Date | null }>(
      `SELECT min(e.occurred_at) AS oldest
       FROM events e
       LEFT JOIN deliveries d ON d.consumer = $1 AND d.event_id = e.id
       WHERE e.type = ANY($2::text[]) AND (d.status IS NULL OR d.status = 'pending')`,
      [consumer, types],
    );
    return rows[0]?.oldest ?? null;
  }

  async deadLetters(consumer: string): Promise<{ event: DomainEvent; reason: string }[]> {
    const { rows } = await this.pool.query<EventRow & { last_error: string | null }>(
      `SELECT e.id, e.type, e.occurred_at, e.source, e.payload, e.trace, d.attempts, d.last_error
       FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.consumer = $1 AND d.status = 'dead'
       ORDER BY e.seq`,
      [consumer],
    );
    return rows.map((row) => ({ event: toEvent(row), reason: row.last_error ?? '' }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const subscription of [...this.subscriptions]) await subscription.stop();
    this.closed = true;
    await this.pool.end();
  }
}
