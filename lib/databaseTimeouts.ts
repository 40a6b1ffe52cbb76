import { cleanEnv, num } from 'envalid';

/**
 * How long a service waits on its database. Without bounds, a stopped or locked database makes
 * every request hang with it (and requests, sockets and descriptors pile up); with them, the
 * request ends with SERVICE_UNAVAILABLE (lib/unavailable.ts) and the client can try again.
 */
export interface DatabaseTimeouts {
  /**
   * The longest one statement (PostgreSQL `statement_timeout`, also `lock_timeout`: a row lock
   * waited for counts) or one MongoDB query (`maxTimeMS`) may run. The driver gives up on an
   * unanswering server (pg `query_timeout`, MongoDB `socketTimeoutMS`) a little later, so the
   * server's own clean error comes first when the server is there to send one.
   */
  statementMs: number;
  /** The longest wait for a connection: to open one, or for a free one from the pool. */
  connectMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = Object.freeze({ statementMs: 5_000, connectMs: 3_000 });

/** Past the statement timeout, how long the driver still waits for a server that does not answer. */
export const DRIVER_MARGIN_MS = 2_000;

/** DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS, read by every subgraph's main.ts. */
export function databaseTimeoutsEnv(environment: NodeJS.ProcessEnv = process.env): DatabaseTimeouts {
  const env = cleanEnv(environment, {
    DATABASE_STATEMENT_TIMEOUT_MS: num({ default: DEFAULT_DATABASE_TIMEOUTS.statementMs, desc: 'Longest time one database statement or query may run' }),
    DATABASE_CONNECT_TIMEOUT_MS: num({ default: DEFAULT_DATABASE_TIMEOUTS.connectMs, desc: 'Longest wait for a database connection (new or from the pool)' }),
  });
  return Object.freeze({ statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS, connectMs: env.DATABASE_CONNECT_TIMEOUT_MS });
}
