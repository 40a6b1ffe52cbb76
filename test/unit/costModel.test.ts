import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { getIntrospectionQuery, getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { composeSupergraph, subgraphDefinitions } from '../../schema/composeSupergraph';
import { SUPERGRAPH_FILE } from '../../schema/subgraphs';
import { costDirectivesOf, type CostDirectives } from '../../gateway/guards/costDirectives';
import { estimateCost } from '../../gateway/guards/estimateCost';
import { PRODUCTS, reviewsByAuthor, reviewsOfProduct, USERS } from '../../scripts/bench/gateway/standard/data';
import { STANDARD_QUERY } from '../../scripts/bench/gateway/standard/query';
import { STANDARD_SUBGRAPHS, standardTypeDefs } from '../../scripts/bench/gateway/standard/subgraphs';

/** The cost model against the committed supergraph: the directives the subgraphs declare, and what operations cost. */
const supergraphSdl = readFileSync(SUPERGRAPH_FILE, 'utf8');
const apiSchema = (sdl: string) => Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
const schema = apiSchema(supergraphSdl);
const directives = costDirectivesOf(supergraphSdl);

function cost(text: string, variables: Record<string, unknown> = {}, over: { schema?: GraphQLSchema; directives?: CostDirectives; maxListSize?: number } = {}): number {
  const document = parse(text);
  return estimateCost(over.schema ?? schema, document, getOperationAST(document)!, {
    directives: over.directives ?? directives,
    defaultListSize: 20,
    maxListSize: over.maxListSize ?? 100,
    variables,
  });
}

const README = readFileSync(`${__dirname}/../../README.md`, 'utf8');
const DASHBOARD = README.slice(README.indexOf('query Dashboard'), README.indexOf('```', README.indexOf('query Dashboard')));

describe('the cost directives in the supergraph', () => {
  test('composition keeps @listSize and @cost (linked as https://specs.apollo.dev/cost/v0.1)', () => {
    expect(supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])');
    expect(directives.listSize('Query', 'teams')).toEqual({ slicingArguments: ['first'], sizedFields: ['edges'], assumedSize: undefined });
    expect(directives.listSize('Team', 'members')).toMatchObject({ slicingArguments: ['first'], sizedFields: ['edges'] });
    expect(directives.listSize('Payment', 'transactions')).toMatchObject({ assumedSize: 10 });
    expect(directives.fieldWeight('Mutation', 'login')).toBe(100);
    expect(directives.fieldWeight('Mutation', 'register')).toBe(100);
    expect(directives.fieldWeight('Query', 'me')).toBeUndefined();
  });

  test('names follow the @link: a renamed spec or import is read under its new name', () => {
    const sdl = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/cost/v0.1", as: "price", import: [{ name: "@listSize", as: "@size" }]) { query: Query }
      type Query { a: [Int] @size(assumedSize: 3) @price(weight: 7) b: [Int] @listSize(assumedSize: 9) }`;
    const renamed = costDirectivesOf(sdl);
    expect(renamed.listSize('Query', 'a')).toMatchObject({ assumedSize: 3 });
    expect(renamed.fieldWeight('Query', 'a')).toBe(7);
    expect(renamed.listSize('Query', 'b')).toBeUndefined();
  });

  test('a supergraph without the cost spec has no directives', () => {
    const none = costDirectivesOf('type Query { a: [Int] @listSize(assumedSize: 3) }');
    expect(none.listSize('Query', 'a')).toBeUndefined();
  });
});

describe('what operations cost', () => {
  test("the README's dashboard is cheap", () => {
    expect(cost(DASHBOARD)).toBe(266);
  });

  test('teams(first: 100) { members(first: 100) { user { projects(first: 100) } } } counts over a million', () => {
    expect(cost('{ teams(first: 100) { edges { node { members(first: 100) { edges { node { user { projects(first: 100) { edges { node { id } } } } } } } } } } }')).toBeGreaterThan(1_000_000);
  });

  test('a connection: its edges count `first` times (sizedFields), `first` defaults to the argument default', () => {
    // users: 1, edges: n × (edge 1 + node 1), pageInfo: 1
    expect(cost('{ users(first: 7) { edges { node { id } } pageInfo { hasNextPage } } }')).toBe(1 + 7 * 2 + 1);
    expect(cost('{ users { edges { node { id } } } }')).toBe(1 + 20 * 2);
  });

  test('slicing arguments given as variables use the value sent, or the variable default', () => {
    const text = 'query($n: Int = 3) { users(first: $n) { edges { node { id } } } }';
    expect(cost(text, { n: 50 })).toBe(1 + 50 * 2);
    expect(cost(text)).toBe(1 + 3 * 2);
  });

  test('no list counts for more than maxListSize (the subgraphs refuse larger pages themselves)', () => {
    expect(cost('{ users(first: 1000) { edges { node { id } } } }')).toBe(1 + 100 * 2);
    expect(cost('{ users(first: 1000) { edges { node { id } } } }', {}, { maxListSize: 10 })).toBe(1 + 10 * 2);
  });

  test('a list without a slicing argument counts its assumedSize', () => {
    // payment 1, transactions: 10 × 1
    expect(cost('{ payment(id: "x") { transactions { id } } }')).toBe(1 + 10);
  });

  test('mutations cost at least 10; @cost weights count instead of 1', () => {
    expect(cost('mutation { deleteProject(id: "x") }')).toBe(10);
    expect(cost('mutation { login(input: { email: "a", password: "b" }) { accessToken user { id } } }')).toBe(100 + 1);
  });

  test('fragments and inline fragments count like the fields they hold; introspection costs nothing', () => {
    expect(cost('query { ...F } fragment F on Query { users(first: 2) { edges { ... on UserEdge { node { id } } } } }')).toBe(1 + 2 * 2);
    expect(cost(getIntrospectionQuery())).toBe(0);
  });

  test("a subgraph team's new @listSize changes the estimate with the next supergraph, no gateway change", () => {
    const services = subgraphDefinitions().map((service) =>
      service.name === 'payments'
        ? { ...service, typeDefs: parse(readFileSync(`${__dirname}/../../subgraphs/payments/schema.graphql`, 'utf8').replace('@listSize(assumedSize: 10)', '@listSize(assumedSize: 50)')) }
        : service,
    );
    const outcome = composeSupergraph(services);
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    expect(cost('{ payment(id: "x") { transactions { id } } }', {}, { schema: apiSchema(outcome.supergraphSdl), directives: costDirectivesOf(outcome.supergraphSdl) })).toBe(1 + 50);
  });
});

describe('the standard gateway benchmark (scripts/bench/gateway/standard)', () => {
  test("its heavy query fits the default budget of a signed-in caller (5000), with the subgraphs' @listSize set to their data's largest lists", () => {
    const composed = composeSupergraph(STANDARD_SUBGRAPHS.map((name) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(standardTypeDefs(name)) })));
    if (!composed.ok) throw new Error(composed.errors.join('\n'));
    const standard = { schema: apiSchema(composed.supergraphSdl), directives: costDirectivesOf(composed.supergraphSdl) };
    // users 6; a user's reviews and a product's reviews at most 4 each; topProducts its `first` (5).
    expect(USERS).toHaveLength(6);
    expect(Math.max(...USERS.map((user) => reviewsByAuthor(user.id).length), ...PRODUCTS.map((product) => reviewsOfProduct(product.upc).length))).toBe(4);
    const estimate = cost(STANDARD_QUERY, {}, standard);
    expect(estimate).toBe(1219);
  });
});
