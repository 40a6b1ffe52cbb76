import type { Context } from '@opentelemetry/api';

/**
 * The gateway's client to the subgraphs is one `Send` function wrapped in small layers
 * (`SendWrapper`s: circuit breaker, retry, time bounds, signing), each in a file of its own and
 * composed in `subgraphClient.ts`. A new concern (metrics, tracing, batching) is one more wrapper.
 */

/** One fetch to one subgraph: a GraphQL operation POSTed as JSON. */
export interface SubgraphRequest {
  /** The subgraph's name (the breaker is per subgraph; never shown to clients). */
  subgraph: string;
  url: string;
  /**
   * The JSON request body, serialized and encoded once: the same bytes are hashed for the
   * signature and written to the socket (a string would be encoded to UTF-8 for each).
   */
  body: string | Buffer;
  /** Lower-case names; wrappers add theirs to a copy. */
  headers: Record<string, string>;
  /** A query (not a mutation): safe to send a second time. */
  idempotent: boolean;
  /** Fired when the client goes away or the whole request's deadline passes. */
  signal?: AbortSignal;
  /** Epoch ms: the whole client request's deadline; no fetch starts or runs past it. */
  deadlineAt: number;
  /** While tracing: the context the fetch's span is a child of (its gateway.fetch span's); without it, the active one. */
  trace?: Context;
}

/** A subgraph's HTTP answer below 500, its body parsed once. */
export interface SubgraphResponse {
  status: number;
  body: unknown;
}

export type Send = (request: SubgraphRequest) => Promise<SubgraphResponse>;
export type SendWrapper = (next: Send) => Send;

/**
 * Why a fetch brought no usable answer:
 * - `timeout`: the per-subgraph fetch timeout passed;
 * - `deadline`: the whole request's deadline passed (before or during the fetch);
 * - `cancelled`: the client went away;
 * - `connection`: no connection, or it broke (reset, refused, closed by the other side);
 * - `server-error`: an HTTP status of 500 or more;
 * - `bad-response`: a body that is not JSON;
 * - `circuit-open`: not sent, the subgraph's breaker is open.
 */
export type FailureReason = 'timeout' | 'deadline' | 'cancelled' | 'connection' | 'server-error' | 'bad-response' | 'circuit-open';

/** Abort reasons the wrappers use (plain strings: aborting builds no Error). */
export const ABORT_REASONS: ReadonlySet<FailureReason> = new Set(['timeout', 'deadline', 'cancelled']);

/**
 * A failed fetch. Deliberately not an Error: failures are routine under load (a subgraph down, a
 * client gone) and the caller turns them into GraphQL errors, so no stack trace is built for them.
 */
export class SubgraphFailure {
  constructor(
    readonly reason: FailureReason,
    readonly subgraph: string,
    /** Nothing of the answer had arrived when it failed (what makes a retry safe). */
    readonly beforeResponse: boolean,
    /** The transport's error, for the log. */
    readonly cause?: unknown,
  ) {}

  /** The error code of the transport's failure (ECONNRESET, UND_ERR_SOCKET...), if any. */
  get code(): string | undefined {
    const code = (this.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : undefined;
  }

  /** What the log shows. */
  toJSON(): Record<string, unknown> {
    const message = this.cause instanceof Error ? this.cause.message : undefined;
    return { reason: this.reason, subgraph: this.subgraph, ...(this.code ? { code: this.code } : {}), ...(message ? { message } : {}) };
  }
}

/** The reason an aborted signal carries, when a wrapper aborted it with one of `ABORT_REASONS`. */
export function abortReason(signal: AbortSignal | undefined): FailureReason | undefined {
  const reason = signal?.aborted ? (signal.reason as unknown) : undefined;
  return typeof reason === 'string' && ABORT_REASONS.has(reason as FailureReason) ? (reason as FailureReason) : signal?.aborted ? 'cancelled' : undefined;
}
