import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { RequestHandler } from 'express';

/**
 * Apollo Server as express middleware, as `@as-integrations/express5` does it (the request's
 * headers, query string and parsed body in, Apollo's status, headers and body out), except that a
 * complete answer is written without `res.send`, which hashes every body of 1000 characters or
 * more with SHA-1 for an ETag, which a GraphQL answer
 * does not need (POST answers are never revalidated) and which on a large answer costs about as
 * much as writing it. Pages that are revalidated set their own ETag (gateway/pages/PreparedAsset.ts).
 */
export function graphqlMiddleware<TContext extends object>(
  server: ApolloServer<TContext>,
  context: (req: IncomingMessage, res: ServerResponse) => Promise<TContext> | TContext,
): RequestHandler {
  server.assertStarted('graphqlMiddleware()');
  return async (req, res) => {
    if (!('body' in req)) {
      res.status(500).send('`req.body` is not set: the json middleware must run before GraphQL');
      return;
    }
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const queryAt = req.url.indexOf('?');
    const hashAt = req.url.indexOf('#', queryAt);
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: queryAt < 0 ? '' : req.url.slice(queryAt, hashAt < 0 ? undefined : hashAt), body: req.body },
      context: () => Promise.resolve(context(req, res)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') {
      // As res.send does for a string: the type says its charset.
      const type = res.getHeader('content-type');
      if (typeof type === 'string' && !/;\s*charset=/i.test(type)) res.setHeader('content-type', `${type}; charset=utf-8`);
      // Encoded once here: its length is the header, and a Buffer goes to the socket without another copy.
      const body = Buffer.from(response.body.string, 'utf8');
      res.setHeader('content-length', body.length);
      res.end(body);
      return;
    }
    for await (const chunk of response.body.asyncIterator) {
      res.write(chunk);
      if (typeof (res as { flush?: () => void }).flush === 'function') (res as unknown as { flush: () => void }).flush();
    }
    res.end();
  };
}
