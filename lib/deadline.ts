import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import type { RequestHandler } from 'express';

/**
 * How much time a request has left, in milliseconds, as a caller tells the service it calls (the
 * gateway on every subgraph fetch, a service on its own calls to another). A remaining budget
 * rather than a point in time, so that the clocks of the two machines need not agree; the
 * transit time it does not count is small next to it.
 */
export const DEADLINE_HEADER = 'x-request-deadline';

/**
 * The most a service works on one request, and what it allows a request that names no deadline
 * (a direct call): a caller cannot buy more than this with a large header.
 */
export const MAX_REQUEST_BUDGET_MS = 30_000;

/** After its deadline, how long a request's response may still take before the connection is cut. */
const HARD_STOP_GRACE_MS = 1_000;

/** The time bound of the request being served, for the outgoing calls made on its behalf. */
export interface RequestDeadline {
  /** Fired when the deadline passes or the caller goes away before the response. */
  signal: AbortSignal;
  /** Epoch ms. */
  deadlineAt: number;
}

const current = new AsyncLocalStorage<RequestDeadline>();

/**
 * The deadline of the request this code runs for, if any. Carried by AsyncLocalStorage so that
 * every outgoing service call (lib/postGraphQL.ts) stops with its request without each resolver
 * and loader passing a signal along.
 */
export function currentDeadline(): RequestDeadline | undefined {
  return current.getStore();
}

/** The budget a request's header grants, within `[0, max]` (`max` when it names none or nonsense). */
export function budgetFrom(header: string | string[] | undefined, max = MAX_REQUEST_BUDGET_MS): number {
  if (typeof header !== 'string' || !/^-?\d{1,12}$/.test(header)) return max;
  return Math.max(0, Math.min(Number(header), max));
}

/**
 * Express middleware in front of a subgraph's GraphQL endpoint. A request whose deadline has
 * already passed is refused before any work (504, SERVICE_UNAVAILABLE: the gateway treats it as
 * the service not answering in time). Otherwise its resolvers run with a `RequestDeadline` whose
 * signal fires at the deadline or when the caller closes the connection first (the gateway gave
 * up), which aborts the service calls they make; a response still not done a moment after the
 * deadline has its connection cut, so nothing keeps working for a caller that has left.
 */
export function boundedByDeadline(max = MAX_REQUEST_BUDGET_MS): RequestHandler {
  return (req, res, next) => {
    const budget = budgetFrom(req.headers[DEADLINE_HEADER], max);
    if (budget <= 0) {
      res.status(504).json({ errors: [{ message: 'the request ran out of time before it could be served', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      return;
    }
    const controller = new AbortController();
    // Each service call made for the request listens while it runs (loaders may run several at once).
    setMaxListeners(0, controller.signal);
    const deadline = setTimeout(() => controller.abort(), budget);
    const hardStop = setTimeout(() => res.destroy(), budget + HARD_STOP_GRACE_MS);
    res.once('close', () => {
      clearTimeout(deadline);
      clearTimeout(hardStop);
      if (!res.writableFinished) controller.abort();
    });
    current.run({ signal: controller.signal, deadlineAt: Date.now() + budget }, next);
  };
}
