import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace, type Context } from '@opentelemetry/api';
import { requestTraceContext } from '../lib/tracing/traceRequests';
import type { Authenticator } from '../lib/auth/authenticator';
import { requestIdFrom } from '../lib/requestId';
import type { Identity } from '../lib/auth/identity';
import { CLIENT_IP_HEADER, FORWARDED_HEADERS } from './SubgraphDataSource';
import type { RateLimitState } from './guards/rateLimitHeaders';

export interface GatewayContext {
  requestId: string;
  /** Verified here, before any planning; each subgraph verifies the same credential again. */
  identity: Identity;
  /** Allowlisted request headers, lower-case names, to forward to every subgraph fetch. */
  forwardedHeaders: Record<string, string>;
  /** Where this caller stands in its rate limit (sent back as headers); null when its kind is not limited. */
  rateLimit?: RateLimitState | null;
  /**
   * Fired when the client's connection closes before its response is done (reason `cancelled`)
   * or the request's deadline passes (`deadline`): every subgraph fetch of the request aborts.
   */
  signal: AbortSignal;
  /** Epoch ms: no subgraph fetch of this request starts or runs past it. */
  deadlineAt: number;
  /**
   * The request's trace context (its span) while tracing is on: the executor's spans and the
   * fetches take their parent from here, not from the async context (which the gateway runs without).
   */
  trace?: Context;
}

/** How long a client request may take as a whole, when `buildContext` is not told (tests of headers). */
const DEFAULT_DEADLINE_MS = 30_000;

/**
 * The context of one client request. A credential that is present but not valid is refused here
 * (401, UNAUTHENTICATED) before the operation is planned or any subgraph is called.
 */
export async function buildContext(
  req: IncomingMessage,
  authenticator: Authenticator,
  lifetime: { res?: ServerResponse; deadlineMs?: number } = {},
): Promise<GatewayContext> {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string' && value.length > 0) forwardedHeaders[name] = value;
  }
  const requestId = requestIdFrom(forwardedHeaders['x-request-id']);
  forwardedHeaders['x-request-id'] = requestId;
  // The address the gateway itself saw, never a value the client sent.
  if (req.socket.remoteAddress) forwardedHeaders[CLIENT_IP_HEADER] = req.socket.remoteAddress;
  const deadlineMs = lifetime.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadlineAt = Date.now() + deadlineMs;
  const controller = new AbortController();
  // Every fetch of the plan listens while it runs (a wide plan runs many at once); each removes its listener.
  setMaxListeners(0, controller.signal);
  const deadline = setTimeout(() => controller.abort('deadline'), deadlineMs);
  deadline.unref();
  if (lifetime.res) {
    const res = lifetime.res;
    res.once('close', () => {
      clearTimeout(deadline);
      if (!res.writableFinished) controller.abort('cancelled');
    });
  }
  const identity = await authenticator.identify(forwardedHeaders.authorization ?? null);
  const traced = requestTraceContext(req);
  // The gateway traces without async context: its request-path log lines name this trace
  // themselves (Logger `within`), and the request span carries the request id (also the one made
  // here when the client sent none).
  if (traced) trace.getSpan(traced)?.setAttribute('schemaflow.request_id', requestId);
  return { requestId, identity, forwardedHeaders, signal: controller.signal, deadlineAt, trace: traced };
}
