import type { RequestSigner } from './auth/RequestSigner';
import { currentDeadline, DEADLINE_HEADER } from './deadline';
import { context } from '@opentelemetry/api';
import { injectTrace } from './tracing/propagation';
import { activeTracer } from './tracing/tracing';

export interface PostGraphQLOptions {
  /** Signs the call as coming from a service of the product (the callee answers internal fields only then). */
  signer: RequestSigner;
  authorization?: string | null;
  /** Most this call may take; less when the request it is made for has less time left. */
  timeoutMs?: number;
}

/**
 * One operation POSTed to another service's GraphQL endpoint (service-to-service calls: entity
 * lookups, team-token checks). Resolves with `data` only for a clean answer; a transport failure,
 * a timeout, a non-2xx status or any GraphQL error rejects, and callers decide what that means.
 *
 * Made on behalf of a request (inside `boundedByDeadline`), the call stops with it: it is aborted
 * when that request's deadline passes or its caller goes away, and tells the callee how much of
 * the budget is left.
 */
/** What an HTTP request line names for `url`: its path and query, as the callee sees it. */
export function requestTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export async function postGraphQL<TData>(url: string, query: string, variables: Record<string, unknown>, options: PostGraphQLOptions): Promise<TData> {
  const scope = currentDeadline();
  const timeoutMs = Math.min(options.timeoutMs ?? 5_000, scope ? scope.deadlineAt - Date.now() : Infinity);
  const controller = new AbortController();
  const stop = () => controller.abort();
  const timer = setTimeout(stop, Math.max(0, timeoutMs));
  scope?.signal.addEventListener('abort', stop, { once: true });
  try {
    if (scope?.signal.aborted || timeoutMs <= 0) throw new Error('the request this call was for has ended');
    const body = JSON.stringify({ query, variables });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [DEADLINE_HEADER]: String(Math.floor(timeoutMs)),
      ...(options.authorization ? { authorization: options.authorization } : {}),
    };
    // Made for traced work, the callee's request span continues its trace.
    if (activeTracer()) injectTrace(context.active(), headers);
    Object.assign(headers, options.signer.sign({ method: 'POST', path: requestTarget(url), body, headers }));
    const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
    const answer = (await response.json()) as { data?: TData | null; errors?: unknown[] };
    if (!response.ok || answer.errors?.length || !answer.data) {
      throw new Error(`status ${response.status}: ${JSON.stringify(answer.errors ?? null)}`);
    }
    return answer.data;
  } finally {
    clearTimeout(timer);
    scope?.signal.removeEventListener('abort', stop);
  }
}
