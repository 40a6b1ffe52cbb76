import { SpanKind, type Span } from '@opentelemetry/api';
import type { PrismaPg } from '@prisma/adapter-pg';
import type { Schema } from 'mongoose';
import { endFailed, endWhenSettled } from './endSpan';
import { activeTracer } from './tracing';

/**
 * Database calls as CLIENT spans, children of whatever traced work makes them (a resolver, an
 * event's handler): one per SQL statement a Prisma client sends through its `pg` adapter, one per
 * mongoose query, aggregation, save or insert. Made only inside traced work: the outbox relay's
 * polling and anything with tracing off pass through untouched.
 */

const SQL_OPERATION = /^\s*(\w+)/;
const SQL_TABLE = /\b(?:FROM|INTO|UPDATE)\s+(?:"?\w+"?\.)?"?(\w+)"?/i;

function sqlSpan<T>(database: string, sql: string, run: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return run();
  const operation = SQL_OPERATION.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
  const table = SQL_TABLE.exec(sql)?.[1];
  const span = tracer.startSpan(`postgresql ${operation}${table ? ` ${table}` : ''}`, {
    kind: SpanKind.CLIENT,
    // The statement as Prisma sends it: parameters are placeholders ($1...), never values.
    attributes: { 'db.system.name': 'postgresql', 'db.namespace': database, 'db.operation.name': operation, 'db.query.text': sql, ...(table ? { 'db.collection.name': table } : {}) },
  });
  return endWhenSettled(span, run());
}

interface Queryable {
  queryRaw(query: { sql: string }): Promise<unknown>;
  executeRaw(query: { sql: string }): Promise<number>;
}

function traceQueryable<T extends Queryable>(database: string, target: T): T {
  const queryRaw = target.queryRaw.bind(target);
  const executeRaw = target.executeRaw.bind(target);
  target.queryRaw = (query) => sqlSpan(database, query.sql, () => queryRaw(query));
  target.executeRaw = (query) => sqlSpan(database, query.sql, () => executeRaw(query));
  return target;
}

/** The adapter, with every statement (in or out of a transaction) traced. */
export function tracedPrismaAdapter(adapter: PrismaPg, connectionString: string): PrismaPg {
  const database = new URL(connectionString).pathname.slice(1);
  const connect = adapter.connect.bind(adapter);
  adapter.connect = async () => {
    const connection = traceQueryable(database, await connect());
    const startTransaction = connection.startTransaction.bind(connection);
    connection.startTransaction = async (isolationLevel) => traceQueryable(database, await startTransaction(isolationLevel));
    return connection;
  };
  return adapter;
}

const SPAN = Symbol('tracing span');
type Traced = { [SPAN]?: Span };

const QUERY_OPERATIONS = [
  'find',
  'findOne',
  'countDocuments',
  'estimatedDocumentCount',
  'distinct',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
] as const;

/** No span for work of no collection of its own (a subdocument's save runs the same hooks). */
function mongoSpan(database: string, collection: string | undefined, operation: string): Span | undefined {
  const tracer = activeTracer();
  if (!tracer || !collection) return undefined;
  return tracer.startSpan(`mongodb ${collection}.${operation}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': 'mongodb', 'db.namespace': database, 'db.collection.name': collection, 'db.operation.name': operation },
  });
}

function finish(this: Traced): void {
  this[SPAN]?.end();
  this[SPAN] = undefined;
}

function failed(this: Traced, error: Error, _result: unknown, next: (error?: Error) => void): void {
  const span = this[SPAN];
  if (span) {
    endFailed(span, error);
    this[SPAN] = undefined;
  }
  next(error);
}

interface Hooks {
  pre(operations: string | string[], hook: (this: never) => void): void;
  post(operations: string | string[], hook: ((this: never) => void) | ((this: never, error: Error, result: unknown, next: (error?: Error) => void) => void)): void;
}

/**
 * A mongoose plugin (`connection.plugin`) giving every query, aggregation, save and insertMany of
 * the connection's models a span: started by the `pre` hook in the caller's context, ended by the
 * `post` hook (or the error hook, which passes the error on).
 */
export function mongooseTracing(database: string) {
  return (schema: Schema): void => {
    // Mongoose's typings of the hooks differ per kind of middleware; the hooks here treat them alike.
    const hooks = schema as unknown as Hooks;
    hooks.pre([...QUERY_OPERATIONS], function (this: Traced & { model?: { collection?: { name: string } }; op?: string }) {
      this[SPAN] = mongoSpan(database, this.model?.collection?.name, this.op ?? 'query');
    });
    hooks.post([...QUERY_OPERATIONS], finish);
    hooks.post([...QUERY_OPERATIONS], failed);
    hooks.pre('aggregate', function (this: Traced & { model(): { collection?: { name: string } } | undefined }) {
      this[SPAN] = mongoSpan(database, this.model()?.collection?.name, 'aggregate');
    });
    hooks.post('aggregate', finish);
    hooks.post('aggregate', failed);
    hooks.pre('save', function (this: Traced & { $isSubdocument?: boolean; collection?: { name: string } }) {
      if (!this.$isSubdocument) this[SPAN] = mongoSpan(database, this.collection?.name, 'save');
    });
    hooks.post('save', finish);
    hooks.post('save', failed);
    hooks.pre('insertMany', function (this: Traced & { collection?: { name: string } }) {
      this[SPAN] = mongoSpan(database, this.collection?.name, 'insertMany');
    });
    hooks.post('insertMany', finish);
    hooks.post('insertMany', failed);
  };
}
