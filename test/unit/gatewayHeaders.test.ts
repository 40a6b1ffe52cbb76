import type { IncomingMessage } from 'node:http';
import { buildContext } from '../../gateway/context';
import { SubgraphDataSource } from '../../gateway/SubgraphDataSource';
import type { Authenticator } from '../../lib/auth/authenticator';
import { ANONYMOUS } from '../../lib/auth/identity';
import { createLogger } from '../../lib/logger';
import type { Send, SubgraphRequest } from '../../gateway/client/types';

function request(headers: Record<string, string>, remoteAddress = '203.0.113.7'): IncomingMessage {
  return { headers, socket: { remoteAddress } } as unknown as IncomingMessage;
}

/** Records what it was asked; everyone is anonymous (verification has its own tests). */
function recordingAuthenticator() {
  const seen: (string | null)[] = [];
  const authenticator = { identify: async (authorization: string | null) => (seen.push(authorization), ANONYMOUS) } as unknown as Authenticator;
  return { authenticator, seen };
}

describe('what travels from a client request to the subgraphs', () => {
  test('Authorization, the request id and the user agent are forwarded; cookies and other headers are not', async () => {
    const { authenticator, seen } = recordingAuthenticator();
    const context = await buildContext(
      request({ authorization: 'Bearer abc', cookie: 'session=1', 'x-request-id': 'r-1', 'x-other': 'no', 'user-agent': 'ua/1' }),
      authenticator,
    );
    expect(seen).toEqual(['Bearer abc']);
    expect(context.forwardedHeaders).toEqual({ authorization: 'Bearer abc', 'x-request-id': 'r-1', 'user-agent': 'ua/1', 'x-client-ip': '203.0.113.7' });
    const sent: SubgraphRequest[] = [];
    const send: Send = async (request) => (sent.push(request), { status: 200, body: { data: { __typename: 'Query' } } });
    const source = new SubgraphDataSource('users', 'http://subgraph.invalid/', send, createLogger('test', 'silent'));
    await source.process({ request: { query: '{ __typename }' }, context, incomingRequestContext: {} } as never);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers).toEqual({ 'content-type': 'application/json', ...context.forwardedHeaders });
  });

  test('the client address is the one the gateway saw, never one the client claims', async () => {
    const { authenticator } = recordingAuthenticator();
    const context = await buildContext(request({ 'x-client-ip': '10.0.0.1', 'x-forwarded-for': '10.0.0.2' }), authenticator);
    expect(context.forwardedHeaders['x-client-ip']).toBe('203.0.113.7');
  });

  test('every request gets a request id when the client sent none (or a malformed one)', async () => {
    const { authenticator } = recordingAuthenticator();
    for (const headers of [{}, { 'x-request-id': 'bad id with spaces' }] as Record<string, string>[]) {
      const context = await buildContext(request(headers), authenticator);
      expect(context.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(context.forwardedHeaders['x-request-id']).toBe(context.requestId);
    }
  });
});
