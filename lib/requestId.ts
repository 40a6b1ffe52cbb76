import { randomUUID } from 'node:crypto';

/**
 * The id a request is known by in every log line: the one the caller sent (`x-request-id`, as the
 * gateway forwards it) when it is a plain token, else a new one.
 */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[\w-]{1,100}$/.test(header) ? header : randomUUID();
}
