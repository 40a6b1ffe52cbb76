import type { IncomingMessage } from 'node:http';
import { buildContext } from '../../gateway/context';
import { SubgraphDataSource } from '../../gateway/SubgraphDataSource';
import { createLogger } from '../../lib/logger';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('what travels from a client request to the subgraphs', () => {
  test('Authorization and the request id are forwarded; cookies and other headers are not', () => {
    const context = buildContext(request({ authorization: 'Bearer abc', cookie: 'session=1', 'x-request-id': 'r-1', 'x-other': 'no' }));
    expect(context.forwardedHeaders).toEqual({ authorization: 'Bearer abc', 'x-request-id': 'r-1' });
    const source = new SubgraphDataSource('users', 'http://subgraph.invalid/', createLogger('test', 'silent'));
    const headers = new Headers();
    const outgoing = { query: '{ __typename }', http: { method: 'POST', url: 'http://subgraph.invalid/', headers } };
    source.willSendRequest({ request: outgoing, context } as never);
    expect(Object.fromEntries(headers.entries())).toEqual({ authorization: 'Bearer abc', 'x-request-id': 'r-1' });
  });

  test('every request gets a request id when the client sent none', () => {
    const context = buildContext(request({}));
    expect(context.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.forwardedHeaders).toEqual({ 'x-request-id': context.requestId });
  });
});
