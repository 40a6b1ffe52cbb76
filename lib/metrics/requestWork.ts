import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * Whether the code running now serves a GraphQL request or works in the background (outbox relay,
 * event consumers, readiness checks): database metrics say which (`work` label), so a request's
 * database calls can be told from the relay's polling.
 */
const scope = new AsyncLocalStorage<true>();

/** Middleware: everything the request does from here runs in its scope. */
export function inRequestScope(): RequestHandler {
  return (_req, _res, next) => scope.run(true, next);
}

export function currentWork(): 'request' | 'background' {
  return scope.getStore() ? 'request' : 'background';
}
