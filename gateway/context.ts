import type { IncomingMessage } from 'node:http';
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
}

/**
 * The context of one client request. A credential that is present but not valid is refused here
 * (401, UNAUTHENTICATED) before the operation is planned or any subgraph is called.
 */
export async function buildContext(req: IncomingMessage, authenticator: Authenticator): Promise<GatewayContext> {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string' && value.length > 0) forwardedHeaders[name] = value;
  }
  const requestId = requestIdFrom(forwardedHeaders['x-request-id']);
  forwardedHeaders['x-request-id'] = requestId;
  // The address the gateway itself saw, never a value the client sent.
  if (req.socket.remoteAddress) forwardedHeaders[CLIENT_IP_HEADER] = req.socket.remoteAddress;
  const identity = await authenticator.identify(forwardedHeaders.authorization ?? null);
  return { requestId, identity, forwardedHeaders };
}
