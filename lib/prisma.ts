import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import { DRIVER_MARGIN_MS, type DatabaseTimeouts } from './databaseTimeouts';
import { sqlStatementRecorder } from './metrics/databaseMetrics';
import type { Metrics } from './metrics/Metrics';
import { tracedPrismaAdapter } from './tracing/databaseSpans';

export interface PrismaOptions {
  /** Called once per SQL statement; tests count queries with it (N+1 checks). */
  onQuery?: (sql: string) => void;
  /**
   * Bounds on every statement and connection (a service passes its config's). Without them, as
   * for the operator tools' long batch reads, statements run as long as they need.
   */
  timeouts?: DatabaseTimeouts;
  /** The process's registry: every statement's time is recorded there (lib/metrics/databaseMetrics.ts). */
  metrics?: Metrics;
}

interface QueryEvents {
  $on(event: 'query', listener: (event: { query: string; duration: number }) => void): void;
}

/**
 * One Prisma client per service process, on that service's own database, through the `pg` driver
 * adapter (no Prisma engine binary needed). Works for each of the generated clients.
 */
export function createPrismaClient<TClient>(
  PrismaClient: new (options: { adapter: PrismaPg; log?: { emit: 'event'; level: 'query' }[] }) => TClient,
  connectionString: string,
  options: PrismaOptions = {},
): TClient {
  const timeouts = options.timeouts;
  const adapter = tracedPrismaAdapter(new PrismaPg(
    timeouts
      ? {
          connectionString,
          // Opening a connection, and waiting for a free one when the pool is exhausted.
          connectionTimeoutMillis: timeouts.connectMs,
          // Set per session by the server: it cancels the statement itself (57014 / 55P03).
          statement_timeout: timeouts.statementMs,
          lock_timeout: timeouts.statementMs,
          // The driver's own bound, for a server that does not answer at all (stopped, cut off).
          query_timeout: timeouts.statementMs + DRIVER_MARGIN_MS,
        }
      : { connectionString },
  ), connectionString);
  if (!options.onQuery && !options.metrics) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  const record = options.metrics ? sqlStatementRecorder(options.metrics) : undefined;
  // The adapter reports COMMIT but not BEGIN; neither is a query against the data.
  (client as unknown as QueryEvents).$on('query', (event) => {
    record?.(event.query, Number(event.duration));
    if (onQuery && !/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(event.query)) onQuery(event.query);
  });
  return client;
}

function driverError(error: unknown): { kind?: string; constraint?: { index?: string } } | undefined {
  const meta = (error as PrismaClientKnownRequestError).meta as
    | { driverAdapterError?: { cause?: { kind?: string; constraint?: { index?: string } } } }
    | undefined;
  return meta?.driverAdapterError?.cause;
}

/** A unique-constraint violation (P2002), optionally on one named index. */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  if (!(error instanceof PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  return index === undefined || driverError(error)?.constraint?.index === index || error.message.includes(index);
}

/** "Record to update/delete does not exist" (P2025). */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof PrismaClientKnownRequestError && error.code === 'P2025';
}
