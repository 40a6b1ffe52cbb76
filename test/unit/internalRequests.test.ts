import type { IncomingMessage } from 'node:http';
import { Authenticator } from '../../lib/auth/authenticator';
import type { AccessTokenVerifier } from '../../lib/auth/accessTokens';
import { generateSigningSecret, RequestSigner } from '../../lib/auth/RequestSigner';
import { baseContext } from '../../lib/subgraphServer';

/** Who a subgraph believes about the client's address: only a signed request from a trusted proxy. */
const secret = generateSigningSecret();
const authenticator = new Authenticator({} as AccessTokenVerifier, async () => null, new RequestSigner(secret), new Set(['10.0.0.5']));

function request(peer: string, headers: Record<string, string>, signWith?: string): IncomingMessage {
  const all = { 'x-client-ip': '203.0.113.7', ...headers };
  const signature = signWith ? new RequestSigner(signWith).sign({ method: 'POST', path: '/graphql', body: '', headers: all }) : {};
  return { method: 'POST', url: '/graphql', headers: { ...all, ...signature }, socket: { remoteAddress: peer } } as unknown as IncomingMessage;
}

test.each([
  ['signed, from a trusted proxy', request('10.0.0.5', {}, secret), '203.0.113.7', true],
  ['signed, from another address', request('10.0.0.6', {}, secret), '10.0.0.6', true],
  ['unsigned, from a trusted proxy', request('10.0.0.5', {}), '10.0.0.5', false],
  ['signed with another secret', request('10.0.0.5', {}, generateSigningSecret()), '10.0.0.5', false],
])('%s', async (_name, req, clientIp, internal) => {
  const context = await baseContext(req, authenticator);
  expect(context.clientIp).toBe(clientIp);
  expect(context.internal).toBe(internal);
});
