import type { RequestSigner } from '../../lib/auth/RequestSigner';
import type { SendWrapper } from './types';

/**
 * Signs each fetch as the gateway's (lib/auth/RequestSigner.ts): the subgraphs answer internal
 * fields (`_entities`...) and believe `x-client-ip` only in signed requests. Innermost but for the
 * transport, so each try carries a fresh timestamp.
 */
export function withSigning(signer: RequestSigner, pathOf: (url: string) => string): SendWrapper {
  return (next) => (request) =>
    next({ ...request, headers: { ...request.headers, ...signer.sign({ method: 'POST', path: pathOf(request.url), body: request.body, headers: request.headers }) } });
}
