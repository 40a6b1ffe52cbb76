import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';

export interface PrismaOptions {
  /** Called once per SQL statement; tests count queries with it (N+1 checks). */
  onQuery?: (sql: string) => void;
}

interface QueryEvents {
  $on(event: 'query', listener: (event: { query: string }) => void): void;
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
  const adapter = new PrismaPg({ connectionString });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  // The adapter reports COMMIT but not BEGIN; neither is a query against the data.
  (client as unknown as QueryEvents).$on('query', (event) => {
    if (!/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(event.query)) onQuery(event.query);
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
