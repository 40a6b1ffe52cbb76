import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FORWARDED_HEADERS } from './SubgraphDataSource';

export interface GatewayContext {
  requestId: string;
  /** Allowlisted request headers, lower-case names, to forward to every subgraph fetch. */
  forwardedHeaders: Record<string, string>;
}

export function buildContext(req: IncomingMessage): GatewayContext {
  const forwardedHeaders: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string' && value.length > 0) forwardedHeaders[name] = value;
  }
  const requestId = forwardedHeaders['x-request-id'] ?? randomUUID();
  forwardedHeaders['x-request-id'] = requestId;
  return { requestId, forwardedHeaders };
}
