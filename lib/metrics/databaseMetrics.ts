import type { Histogram } from 'prom-client';
import type { Metrics } from './Metrics';
import { currentWork } from './requestWork';

export type Store = 'postgresql' | 'mongodb';

/** What SQL statements are counted as: their first keyword, when one of these. */
const SQL_VERBS = new Set(['select', 'insert', 'update', 'delete', 'with']);
/** Driver commands counted by name; any other command is "other" (the label set stays bounded). */
const MONGO_COMMANDS = new Set(['find', 'insert', 'update', 'delete', 'aggregate', 'count', 'findAndModify', 'distinct', 'createIndexes', 'getMore', 'ping']);

/**
 * `schemaflow_database_query_duration_seconds{store,operation,work}`: one observation per statement
 * (PostgreSQL, from Prisma's query events) or command (MongoDB, from the driver's command
 * monitoring), failed or not.
 */
export function databaseHistogram(metrics: Metrics): Histogram<'store' | 'operation' | 'work'> {
  return metrics.histogram({
    name: 'schemaflow_database_query_duration_seconds',
    help: 'Time of one database statement (PostgreSQL) or command (MongoDB), seconds; work: request or background (relay, consumers, checks)',
    labelNames: ['store', 'operation', 'work'],
  });
}

/** Records one SQL statement Prisma reports (`durationMs`: its `query` event's duration). */
export function sqlStatementRecorder(metrics: Metrics): (sql: string, durationMs: number) => void {
  const histogram = databaseHistogram(metrics);
  return (sql, durationMs) => {
    const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
    if (verb === 'begin' || verb === 'commit' || verb === 'rollback') return;
    histogram.observe({ store: 'postgresql', operation: SQL_VERBS.has(verb) ? verb : 'other', work: currentWork() }, durationMs / 1000);
  };
}

/** Records one MongoDB command (from `commandSucceeded` / `commandFailed`). */
export function mongoCommandRecorder(metrics: Metrics): (commandName: string, durationMs: number) => void {
  const histogram = databaseHistogram(metrics);
  return (commandName, durationMs) => {
    histogram.observe({ store: 'mongodb', operation: MONGO_COMMANDS.has(commandName) ? commandName : 'other', work: currentWork() }, durationMs / 1000);
  };
}
