import type { ApolloServerPlugin } from '@apollo/server';
import { refuseRequest } from './deferredRefusals';
import { refuse } from './refuse';
import type { Safelist } from './Safelist';

const HOW = 'send the id of a registered operation (extensions.persistedQuery.sha256Hash, documentId or doc_id)';

/** The id a client sends instead of a query: APQ's hash (Apollo clients), or `documentId` / `doc_id` in the body (Relay, GraphQL over HTTP). */
function operationId(request: { extensions?: Record<string, any>; http?: { body?: unknown } }): string | undefined {
  const hash = request.extensions?.persistedQuery?.sha256Hash;
  if (typeof hash === 'string') return hash;
  const body = request.http?.body;
  if (!body || typeof body !== 'object') return undefined;
  const { documentId, doc_id: docId } = body as { documentId?: unknown; doc_id?: unknown };
  if (typeof documentId === 'string') return documentId;
  return typeof docId === 'string' ? docId : undefined;
}

/**
 * Safelist mode: only the manifest's operations run. A request naming a registered id runs that
 * operation's text (a text sent along must be the same); a text without an id runs only if it is
 * exactly a registered one; anything else is refused (400, PERSISTED_QUERY_NOT_IN_SAFELIST)
 * before it is parsed.
 */
export function safelistPlugin(safelist: Safelist): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const id = operationId(request);
      const notListed = (message: string) => refuseRequest(request, () => refuse('PERSISTED_QUERY_NOT_IN_SAFELIST', message));
      if (id !== undefined) {
        const body = safelist.body(id);
        if (body === undefined) return notListed(`no registered operation has the id ${JSON.stringify(id)}; ${HOW}`);
        if (request.query !== undefined && request.query !== body) return notListed(`the query sent is not the operation registered as ${JSON.stringify(id)}`);
        request.query = body;
        // Handled here: Apollo Server's own APQ is off in this mode and would refuse the extension.
        if (request.extensions) delete request.extensions.persistedQuery;
        return;
      }
      if (request.query === undefined || !safelist.has(request.query)) notListed(`only registered operations run here; ${HOW}`);
    },
  };
}
