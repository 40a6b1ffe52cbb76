/**
 * Whether an error means "the database is not there or not answering in time" (as opposed to a
 * bug): refused or lost connections, timeouts, an exhausted pool, a statement or lock wait cut
 * short by the timeouts of lib/databaseTimeouts.ts. Such errors reach clients as
 * SERVICE_UNAVAILABLE (see maskUnexpectedError), never INTERNAL_SERVER_ERROR.
 *
 * They come wrapped in several ways: Prisma's own codes, the pg driver adapter's error kinds
 * (`meta.driverAdapterError.cause`), pg's errors and SQLSTATE codes, the MongoDB driver's and
 * mongoose's error classes; the chain of causes is followed.
 */

/** Prisma: can't reach (P1001), timed out (P1002, P1008), connection closed (P1017), pool timeout (P2024), a transaction not started or ended in time (P2028), too many connections (P2037). */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037']);

/** @prisma/adapter-pg's kinds for socket and connection errors. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * PostgreSQL SQLSTATEs: statement timeout or cancel (57014), lock timeout (55P03), shutdown or
 * connections terminated (57P01-57P05), too many connections (53300), and connection exceptions (class 08).
 */
const SQLSTATES = new Set(['57014', '55P03', '57P01', '57P02', '57P03', '57P04', '57P05', '53300']);

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

const MONGO_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
]);

/** MongoDB's MaxTimeMSExpired (FerretDB answers the same code). */
const MONGO_MAX_TIME_EXPIRED = 50;

/** pg and mongoose errors that carry no code, only their message. */
const MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /Query read timeout/i,
  /is not queryable/i,
  /database ".*" is not currently accepting connections/i,
  /buffering timed out/i,
];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
  originalError?: unknown;
}

function matches(error: ErrorLike): boolean {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && (PRISMA_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) return true;
  if (typeof error.originalCode === 'string' && (SQLSTATES.has(error.originalCode) || error.originalCode.startsWith('08'))) return true;
  if (typeof error.kind === 'string' && ADAPTER_KINDS.has(error.kind)) return true;
  if (typeof error.name === 'string' && MONGO_NAMES.has(error.name)) return true;
  if (error.code === MONGO_MAX_TIME_EXPIRED) return true;
  return typeof error.message === 'string' && MESSAGES.some((pattern) => pattern.test(error.message as string));
}

export function isUnavailableError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 10) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const candidate = next as ErrorLike;
    if (matches(candidate)) return true;
    queue.push(candidate.cause, candidate.meta?.driverAdapterError, candidate.originalError);
  }
  return false;
}
