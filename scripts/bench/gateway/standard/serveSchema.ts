import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/** What a benchmark subgraph counts while it serves; reset between rounds. */
export interface SubgraphCounters {
  /** GraphQL requests answered. */
  calls: number;
  /** Authorization headers received (to prove the gateway forwarded the client's token). */
  authorizations: Set<string>;
}

export interface ServedSchema {
  url: string;
  counters: SubgraphCounters;
  close(): Promise<void>;
}

/** Seen tokens are kept only up to this many (a round with more still counts calls). */
const MAX_REMEMBERED_AUTHORIZATIONS = 100_000;
/** Distinct request bodies whose answers are kept (a gateway sends a few dozen). */
const MAX_REMEMBERED_ANSWERS = 10_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A GraphQL-over-HTTP endpoint for a subgraph schema, as cheap as it can be: the subgraphs share a
 * core with the load generator and must not be what limits a gateway (the published benchmark
 * runs them in Rust for that reason). The data never changes, so each distinct request body is
 * parsed, validated and executed once, and its answer is served from memory after that. An answer
 * with errors is never kept. `delayMs()` is waited before each answer (the variant with slow
 * subgraphs).
 */
export function serveSchema(schema: GraphQLSchema, delayMs: () => number): Promise<ServedSchema> {
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const answers = new Map<string, string>();
  const counters: SubgraphCounters = { calls: 0, authorizations: new Set() };
  const prepared = (query: string) => {
    let entry = documents.get(query);
    if (!entry) {
      try {
        const document = parse(query);
        const errors = validate(schema, document);
        entry = errors.length > 0 ? errors : document;
      } catch (error) {
        entry = [error as GraphQLError];
      }
      documents.set(query, entry);
    }
    return entry;
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const send = (status: number, json: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json);
      };
      const answer = (status: number, body: unknown) => send(status, JSON.stringify(body));
      if (req.method !== 'POST') return answer(405, { errors: [{ message: 'POST only' }] });
      const text = await readBody(req);
      counters.calls++;
      const authorization = req.headers.authorization;
      if (authorization && counters.authorizations.size < MAX_REMEMBERED_AUTHORIZATIONS) counters.authorizations.add(authorization);
      const delay = delayMs();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const known = answers.get(text);
      if (known !== undefined) return send(200, known);
      let request: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        request = JSON.parse(text);
      } catch {
        return answer(400, { errors: [{ message: 'the body is not JSON' }] });
      }
      if (typeof request.query !== 'string') return answer(400, { errors: [{ message: 'no query' }] });
      const document = prepared(request.query);
      if (Array.isArray(document)) return answer(400, { errors: document.map((error) => ({ message: error.message })) });
      const result = await execute({
        schema,
        document: document as DocumentNode,
        variableValues: request.variables,
        operationName: request.operationName,
        contextValue: {},
      });
      const json = JSON.stringify(result);
      if (!result.errors && answers.size < MAX_REMEMBERED_ANSWERS) answers.set(text, json);
      send(200, json);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    });
  });
  // Gateways keep connections open between requests; so does this server.
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/graphql`,
        counters,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
