import mongoose, { type Connection, type Model } from 'mongoose';
import { DRIVER_MARGIN_MS, type DatabaseTimeouts } from './databaseTimeouts';
import { mongoCommandRecorder } from './metrics/databaseMetrics';
import type { Metrics } from './metrics/Metrics';
import { mongooseTracing } from './tracing/databaseSpans';

export interface MongoOptions {
  /** Called once per command sent to the server; tests count queries with it (N+1 checks). */
  onQuery?: (collection: string, method: string, args: unknown[]) => void;
  /**
   * Bounds on every query and connection (a service passes its config's). Without them, as for
   * the operator tools, queries run as long as they need and a server is looked for for 10 s.
   */
  timeouts?: DatabaseTimeouts;
  /** The process's registry: every command's time is recorded there (lib/metrics/databaseMetrics.ts). */
  metrics?: Metrics;
}

/**
 * One connection per service process, on that service's own database. Models are registered on
 * this connection, never on mongoose's global default, so two services in one process (tests)
 * never share state.
 */
export async function connectMongo(url: string, dbName: string, options: MongoOptions = {}): Promise<Connection> {
  const timeouts = options.timeouts;
  const connection = mongoose.createConnection(url, {
    dbName,
    autoIndex: false, // indexes are created explicitly at start (see each store's `init`)
    serverSelectionTimeoutMS: timeouts?.connectMs ?? 10_000,
    // The driver's command events carry each command's duration (for metrics only).
    ...(options.metrics ? { monitorCommands: true } : {}),
    ...(timeouts
      ? {
          connectTimeoutMS: timeouts.connectMs,
          // While disconnected mongoose holds commands back, by default for 10 s.
          bufferTimeoutMS: timeouts.connectMs,
          // The driver's bound for a server that does not answer; the server's maxTimeMS comes first.
          socketTimeoutMS: timeouts.statementMs + DRIVER_MARGIN_MS,
        }
      : {}),
  });
  // Every query on this connection (find, count, aggregate, findOneAndUpdate...) is cut off by the
  // server past this (MaxTimeMSExpired; FerretDB 1.24 honours it too).
  if (timeouts) connection.set('maxTimeMS', timeouts.statementMs);
  // Spans for the queries of traced work (none while tracing is off: the hooks return at once).
  connection.plugin(mongooseTracing(dbName));
  if (options.onQuery) {
    const onQuery = options.onQuery;
    connection.set('debug', (collection: string, method: string, ...args: unknown[]) => onQuery(collection, method, args));
  }
  if (options.metrics) {
    const record = mongoCommandRecorder(options.metrics);
    const client = connection.getClient();
    client.on('commandSucceeded', (event) => record(event.commandName, event.duration));
    client.on('commandFailed', (event) => record(event.commandName, event.duration));
  }
  await connection.asPromise();
  return connection;
}

/** Lets the stores create their indexes; if that fails, closes the connection before rethrowing. */
export async function initStores(connection: Connection, ...stores: { init(): Promise<void> }[]): Promise<void> {
  try {
    for (const store of stores) await store.init();
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** MongoDB's duplicate-key error (E11000). FerretDB reports the same code on insert. */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 11000 || (typeof e?.message === 'string' && e.message.includes('E11000'));
}

/** Inserts a document unless one with its `_id` (or unique key) is there; false when one was. */
export async function insertUnlessPresent<T>(model: Model<T>, doc: Partial<T> & { _id: string }): Promise<boolean> {
  try {
    await model.create([doc]);
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}

/**
 * The `_id` filter for documents with one of `ids`: plain equality when there is one. MongoDB
 * answers both alike; FerretDB 1.24 pushes an equality down to PostgreSQL but answers any `$in` by
 * reading and filtering the whole collection (one user of 200: 1.5 ms instead of 17.7 ms, and the
 * gap grows with the collection), and most loader batches of a request hold a single id.
 */
export function idIn(ids: readonly string[]): string | { $in: readonly string[] } {
  return ids.length === 1 ? ids[0]! : { $in: ids };
}

/**
 * Inserts documents as they are (no mongoose defaults or timestamps), each on its own: those whose
 * `_id` or unique key a document already has are left out, and their ids returned.
 */
export async function insertAllButDuplicates<T>(model: Model<T>, docs: readonly ({ _id: string } & Record<string, unknown>)[]): Promise<string[]> {
  if (docs.length === 0) return [];
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
    return [];
  } catch (error) {
    const writeErrors = (error as { writeErrors?: unknown }).writeErrors as { index: number; code?: number; err?: { index: number; code: number } }[] | { index: number; code?: number; err?: { index: number; code: number } } | undefined;
    if (!writeErrors || !isDuplicateKeyError(error)) throw error;
    const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
    return list.map((writeError) => {
      if ((writeError.code ?? writeError.err?.code) !== 11000) throw error;
      return docs[writeError.index ?? writeError.err!.index]!._id;
    });
  }
}

/** The filter that continues a newest-first (createdAt, _id) listing after a cursor position. */
export function afterCursorFilter(after: { createdAt: Date; id: string } | null): Record<string, unknown> {
  if (!after) return {};
  return {
    $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }],
  };
}

export const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;
