import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { executorMismatches } from '../../gateway/executor/executorMismatches';
import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { generateSigningSecret } from '../../lib/auth/RequestSigner';
import { serveHttp, type RunningServer } from '../../lib/httpServer';
import { createLogger } from '../../lib/logger';
import { composeSupergraph } from '../../schema/composeSupergraph';

/**
 * The shaping rules where executors most easily part ways, with two small subgraphs that answer
 * badly on purpose (no engines): a null in a non-null field (bubbling up through entities and
 * lists), an enum value the schema does not have (refused by the subgraph itself), an entity that
 * is not found (a non-null field the gateway's shaping finds empty), a subgraph error at one entity, interfaces and fragments by __typename, @skip/@include with variables and defaults,
 * aliases. The gateway runs in differential mode: Apollo's executor and ours on every request,
 * and no difference may appear; the answers are also checked to be the interesting ones.
 */
const SILENT = createLogger('test-subgraph', 'silent');

const CATALOG = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  enum Kind { BOOK TOOL }
  interface Named { name: String! }
  type Item implements Named @key(fields: "id") { id: ID! name: String! kind: Kind nickname: String }
  type Shelf implements Named { name: String! items: [Item!] }
  type Query { items: [Item] shelf: Shelf named: [Named!]! strictItems: [Item!]! pair: [Item] }
`);
const STOCK = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Item @key(fields: "id") { id: ID! stock: Int! warehouse: String }
`);

const ITEMS = [
  { id: '1', name: 'Book one', kind: 'BOOK', nickname: 'b1' },
  { id: '2', name: null, kind: 'TOOL', nickname: null },
  { id: '3', name: 'Odd kind', kind: 'SPACESHIP', nickname: 'x' },
  { id: '4', name: 'Missing stock', kind: 'BOOK', nickname: null },
];

const catalog = buildSubgraphSchema({
  typeDefs: CATALOG,
  resolvers: {
    Query: {
      items: () => ITEMS,
      shelf: () => ({ name: 'Main', items: ITEMS.filter((item) => item.id !== '2') }),
      named: () => [{ __typename: 'Shelf', name: 'Side', items: [] }, { ...ITEMS[0], __typename: 'Item' }],
      strictItems: () => ITEMS.slice(0, 2),
      pair: () => [ITEMS[0], ITEMS[3]],
    },
    Named: { __resolveType: (value: { __typename?: string }) => value.__typename ?? 'Item' },
    Item: { __resolveReference: ({ id }: { id: string }) => ITEMS.find((item) => item.id === id) },
  } as never,
});
const stock = buildSubgraphSchema({
  typeDefs: STOCK,
  resolvers: {
    Item: {
      __resolveReference: ({ id }: { id: string }) => (id === '4' ? null : { id }),
      stock: ({ id }: { id: string }) => (id === '3' ? null : Number(id) * 10),
      warehouse: ({ id }: { id: string }) => {
        if (id === '1') throw new GraphQLError('warehouse closed', { extensions: { code: 'FORBIDDEN' } });
        return `W${id}`;
      },
    },
  } as never,
});

let servers: RunningServer[] = [];
let gateway: RunningServer;
let dir: string;

async function serve(schema: ReturnType<typeof buildSubgraphSchema>): Promise<RunningServer> {
  const server = new ApolloServer({ schema, stopOnTerminationSignals: false, logger: SILENT });
  const running = await serveHttp({ server, context: async () => ({}), port: 0, host: '127.0.0.1' });
  servers.push(running);
  return running;
}

beforeAll(async () => {
  const [catalogServer, stockServer] = [await serve(catalog), await serve(stock)];
  const composed = composeSupergraph([
    { name: 'catalog', url: catalogServer.url, typeDefs: CATALOG },
    { name: 'stock', url: stockServer.url, typeDefs: STOCK },
  ]);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  dir = mkdtempSync(join(tmpdir(), 'schemaflow-shaping-'));
  writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);
  const config = gatewayConfigFromEnv({
    JWT_PUBLIC_KEY: generateSigningKeys().publicKey,
    INTERNAL_SIGNING_SECRET: generateSigningSecret(),
    TEAMS_SUBGRAPH_URL: 'http://127.0.0.1:9/graphql',
    SUPERGRAPH_FILE: join(dir, 'supergraph.graphql'),
    GATEWAY_EXECUTOR: 'differential',
    PORT: '0',
  });
  gateway = await startGateway(config, createLogger('gateway', 'silent'));
});

afterAll(async () => {
  await gateway?.stop();
  for (const server of servers) await server.stop();
  servers = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function post(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[]; extensions?: any };
}

test('null bubbling, missing entities, entity errors and value completion: both executors agree', async () => {
  const before = executorMismatches().length;
  const items = await post(`{ items { id name kind nickname stock warehouse } }`);
  // Item 2's null name bubbles to its list entry; item 4 has no stock entity; item 3's stock is null.
  expect(items.data.items[1]).toBeNull();
  expect(items.data.items[0]).toMatchObject({ id: '1', name: 'Book one', stock: 10, warehouse: null });
  expect(items.errors?.map((error) => error.path)).toEqual(expect.arrayContaining([['items', 0, 'warehouse']]));
  const strict = await post(`{ strictItems { id name } }`);
  expect(strict.data).toBeNull();
  const shelf = await post(`{ shelf { name items { id kind stock } } }`);
  // A null in [Item!] for the item without stock nulls the whole list.
  expect(shelf.data.shelf).toMatchObject({ name: 'Main', items: null });
  // No fetch fails here: the entity that is not found leaves a non-null field empty, which the
  // gateway's own shaping reports (as Apollo does, in extensions.valueCompletion).
  const pair = await post(`{ pair { id stock } }`);
  expect(pair.data.pair).toEqual([{ id: '1', stock: 10 }, null]);
  expect(pair.extensions?.valueCompletion?.[0]).toMatchObject({ path: ['pair', 1, 'stock'] });
  expect(executorMismatches().slice(before)).toEqual([]);
});

test('interfaces, fragments, __typename, aliases and @skip/@include: both executors agree', async () => {
  const before = executorMismatches().length;
  const query = `
    fragment Bits on Item { id label: name kind }
    query Named($withKind: Boolean!, $skipName: Boolean = false) {
      kind: __typename
      named {
        type: __typename
        __typename
        name @skip(if: $skipName)
        ... on Item { ...Bits kind @include(if: $withKind) stock }
        ... on Shelf { items { id } }
      }
      first: items { ... on Item { id } __typename }
    }`;
  const withKind = await post(query, { withKind: true });
  expect(withKind.data.named).toEqual([
    { type: 'Shelf', __typename: 'Shelf', name: 'Side', items: [] },
    { type: 'Item', __typename: 'Item', name: 'Book one', id: '1', label: 'Book one', kind: 'BOOK', stock: 10 },
  ]);
  await post(query, { withKind: false, skipName: true });
  await post(`query { named { __typename } items @include(if: false) { id } }`);
  expect(executorMismatches().slice(before)).toEqual([]);
});
