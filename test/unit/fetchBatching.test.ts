import type { FetchNode } from '@apollo/query-planner';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { operationFromDocument } from '@apollo/federation-internals';
import { parse, type GraphQLSchema } from 'graphql';
import { compileBatches, mergedFor, type FetchBatching } from '../../gateway/executor/compileBatches';
import { compilePlan } from '../../gateway/executor/compilePlan';
import { executeCompiled } from '../../gateway/executor/executeCompiled';
import { entityOperation, joinPartResponses, mergeEntityOperations, splitMergedResponse } from '../../gateway/executor/mergeEntityFetches';
import { STANDARD_QUERY } from '../../scripts/bench/gateway/standard/query';
import { standardReferenceData } from '../../scripts/bench/gateway/standard/referenceAnswer';
import type { StandardSubgraph } from '../../scripts/bench/gateway/standard/subgraphs';
import { executorMismatches } from '../../gateway/executor/executorMismatches';
import { runDifferential } from '../../gateway/executor/runDifferential';
import { createLogger } from '../../lib/logger';
import { apiSchema, compile, dataSources, errorKeys, failingInventory, planner, requestContext, standardSchemas, supergraphSchema, type Sent } from '../support/standardInProcess';

/**
 * Fetches to one subgraph put together (gateway/executor/compileBatches, mergeEntityFetches,
 * runBatches): which fetches of a compiled plan go as one request, the merged operation's text,
 * and answers split back so that each fetch gets its data, errors and paths as it would alone.
 * The plans are the real planner's for the standard benchmark's four subgraphs, run in-process
 * against those subgraphs' own schemas (no HTTP here: that is the e2e tests').
 */
async function run(batching: FetchBatching, schemas: Record<StandardSubgraph, GraphQLSchema>, refuse?: StandardSubgraph, down?: StandardSubgraph) {
  const sent: Sent[] = [];
  const result = await executeCompiled(compile(STANDARD_QUERY, batching), dataSources(schemas, sent, refuse, down), requestContext());
  return { result, sent };
}

test("the standard query's 16 fetches go as 7 requests by level, 13 when only those ready together merge, 16 with batching off", async () => {
  const plan = compilePlan(planner.buildQueryPlan(operationFromDocument(apiSchema, parse(STANDARD_QUERY))), supergraphSchema);
  expect(compileBatches(plan, 'off')).toBeNull();
  const levels = compileBatches(plan, 'levels')!;
  expect(levels.batches.reduce((sum, batch) => sum + batch.fetches.length, 0)).toBe(16);
  expect(levels.batches.map((batch) => `${batch.fetches[0]!.step.node.serviceName}×${batch.fetches.length}`)).toEqual([
    'accounts×1',
    'products×1',
    'reviews×2',
    'inventory×4',
    'products×3',
    'accounts×2',
    'inventory×3',
  ]);
  // Each batch after those its fetches wait for: the shipping estimates after the prices.
  expect(levels.batches[6]!.after).toEqual([0, 1, 2, 4]);
  expect(compileBatches(plan, 'ready')!.batches).toHaveLength(13);

  for (const batching of ['levels', 'ready', 'off'] as const) {
    const { result, sent } = await run(batching, standardSchemas());
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(await standardReferenceData());
    expect(sent).toHaveLength({ levels: 7, ready: 13, off: 16 }[batching]);
  }
});

test('the merged operation: one aliased _entities per distinct selection, variables renamed, fragments once', () => {
  const plan = compilePlan(planner.buildQueryPlan(operationFromDocument(apiSchema, parse(STANDARD_QUERY))), supergraphSchema);
  const levels = compileBatches(plan, 'levels')!;
  const inventory = levels.batches[3]!;
  // Three fetches ask inStock of products (one alias, one list), one inStock and shippingEstimate.
  expect(mergedFor(inventory, 0b1111).query).toBe(`query StandardBenchmark__inventory__2($representations0: [_Any!]!, $representations1: [_Any!]!) {
  _b0: _entities(representations: $representations0) {
    ... on Product {
      inStock
    }
  }
  _b1: _entities(representations: $representations1) {
    ... on Product {
      inStock
      shippingEstimate
    }
  }
}`);
  const reviews = mergedFor(levels.batches[2]!, 0b11);
  expect(reviews.query.match(/fragment ReviewFields on Review/g)).toHaveLength(1);
  expect(reviews.query).toMatch(/_b0: _entities\(representations: \$representations0\) \{\s+\.\.\. on User/);
  expect(reviews.query).toMatch(/_b1: _entities\(representations: \$representations1\) \{\s+\.\.\. on Product/);
  // Compiled once per set of fetches: the same object for the same set.
  expect(mergedFor(levels.batches[2]!, 0b11)).toBe(reviews);
});

const fetchNode = (operation: string, variableUsages: string[] = []): FetchNode =>
  ({ kind: 'Fetch', serviceName: 'accounts', operation, operationKind: 'query', requires: [], variableUsages, inputRewrites: [], outputRewrites: [] }) as unknown as FetchNode;

test('fragments of the same name and another body are renamed in their part; client variables are defined once; a clash with a client variable is avoided', () => {
  const one = entityOperation(
    fetchNode(`query Q__accounts__1($representations: [_Any!]!, $representations0: Int) { _entities(representations: $representations) { ...F } } fragment F on User { id }`, ['representations0']),
  )!;
  const two = entityOperation(
    fetchNode(`query Q__accounts__2($representations: [_Any!]!, $representations0: Int) { _entities(representations: $representations) { ...F } } fragment F on User { name }`, ['representations0']),
  )!;
  const merged = mergeEntityOperations([one, two], 'Q__accounts__1');
  expect(merged.query).toBe(`query Q__accounts__1($representations0_1: [_Any!]!, $representations1: [_Any!]!, $representations0: Int) {
  _b0: _entities(representations: $representations0_1) {
    ...F
  }
  _b1: _entities(representations: $representations1) {
    ...F_1
  }
}

fragment F on User {
  id
}

fragment F_1 on User {
  name
}`);
  expect(merged.parts).toEqual([
    { alias: '_b0', variable: 'representations0_1' },
    { alias: '_b1', variable: 'representations1' },
  ]);
  // Not merged: a mutation, and an operation of another form.
  expect(entityOperation({ ...fetchNode('mutation { _entities(representations: $representations) { id } }'), operationKind: 'mutation' } as unknown as FetchNode)).toBeNull();
  expect(entityOperation(fetchNode('{ users { id } }'))).toBeNull();
});

test('a merged answer split back: each part its slice, errors moved to its own _entities positions, a request-level error to every part', () => {
  const slots = [
    { alias: '_b0', offset: 0, count: 2 },
    { alias: '_b0', offset: 2, count: 1 },
    { alias: '_b1', offset: 0, count: 2 },
  ];
  const merged: GatewayGraphQLResponse = {
    data: { _b0: [{ a: 1 }, { a: 2 }, null], _b1: [{ b: 1 }, null] },
    errors: [
      { message: 'third gone', path: ['_b0', 2, 'a'] },
      { message: 'second of b1 gone', path: ['_b1', 1] },
      { message: 'the whole b1', path: ['_b1'] },
      { message: 'request-level' },
    ],
  };
  const parts = splitMergedResponse(merged, slots);
  expect(parts).toEqual([
    { data: { _entities: [{ a: 1 }, { a: 2 }] }, errors: [{ message: 'request-level' }] },
    { data: { _entities: [null] }, errors: [{ message: 'third gone', path: ['_entities', 0, 'a'] }, { message: 'request-level' }] },
    {
      data: { _entities: [{ b: 1 }, null] },
      errors: [{ message: 'second of b1 gone', path: ['_entities', 1] }, { message: 'the whole b1', path: ['_entities'] }, { message: 'request-level' }],
    },
  ]);
  // A refused request (no data at all) is refused for each part.
  expect(splitMergedResponse({ errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] }, slots)).toEqual(slots.map(() => ({ errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }] })));
  // A list of another length than asked stays whole, so that each part reports the wrong length.
  expect(splitMergedResponse({ data: { _b0: [1], _b1: [1, 2] } }, slots)[0]).toEqual({ data: { _entities: [1] } });
  // Joining the parts' own answers gives the merged answer back (the differential executor's replay).
  const joined = joinPartResponses(parts.slice(0, 3), slots);
  expect(joined.data).toEqual(merged.data);
  expect(joined.errors).toEqual([
    { message: 'request-level' },
    { message: 'third gone', path: ['_b0', 2, 'a'] },
    { message: 'second of b1 gone', path: ['_b1', 1] },
    { message: 'the whole b1', path: ['_b1'] },
  ]);
});

test('errors inside merged fetches come back with the data, messages, codes and paths of the fetches sent one by one', async () => {
  const schemas = { ...standardSchemas(), inventory: failingInventory() };
  const batched = await run('levels', schemas);
  const alone = await run('off', schemas);
  expect(batched.sent.length).toBeLessThan(alone.sent.length);
  expect(batched.sent.some(({ subgraph, query }) => subgraph === 'inventory' && query.includes('_b1: _entities'))).toBe(true);
  expect(errorKeys(alone.result.errors).length).toBeGreaterThan(1);
  expect(errorKeys(batched.result.errors)).toEqual(errorKeys(alone.result.errors));
  expect(batched.result.errors!.every((error) => error.path?.[0] === 'users' || error.path?.[0] === 'topProducts')).toBe(true);
  expect(JSON.stringify(batched.result.data)).toBe(JSON.stringify(alone.result.data));
});

test('a subgraph that refuses the merged request fails each of its parts as it would have failed alone', async () => {
  const batched = await run('levels', standardSchemas(), 'accounts');
  const alone = await run('off', standardSchemas(), 'accounts');
  expect(errorKeys(batched.result.errors)).toEqual(errorKeys(alone.result.errors));
  expect(JSON.stringify(batched.result.data)).toBe(JSON.stringify(alone.result.data));
});

test('a subgraph that cannot be reached: the errors of its merged request land at each entity and field of each fetch, as alone', async () => {
  const batched = await run('levels', standardSchemas(), undefined, 'inventory');
  const alone = await run('off', standardSchemas(), undefined, 'inventory');
  expect(batched.sent.filter(({ subgraph }) => subgraph === 'inventory')).toHaveLength(2);
  expect(alone.sent.filter(({ subgraph }) => subgraph === 'inventory')).toHaveLength(7);
  const codes = new Set(batched.result.errors!.map((error) => error.extensions?.code));
  expect(codes).toEqual(new Set(['SERVICE_UNAVAILABLE']));
  expect(batched.result.errors!.some((error) => JSON.stringify(error.path) === JSON.stringify(['topProducts', 0, 'shippingEstimate']))).toBe(true);
  expect(errorKeys(batched.result.errors)).toEqual(errorKeys(alone.result.errors));
  expect(JSON.stringify(batched.result.data)).toBe(JSON.stringify(alone.result.data));
});

test("the differential executor replays a merged request from the reference's answers to each fetch alone, and finds no difference", async () => {
  const schemas = { ...standardSchemas(), inventory: failingInventory() };
  const sent: Sent[] = [];
  const mismatches = executorMismatches().length;
  const result = await runDifferential(compile(STANDARD_QUERY, 'levels'), dataSources(schemas, sent), requestContext(), apiSchema, createLogger('test', 'silent'));
  // Only the reference's fetches reach the subgraphs (ours are replayed, merged ones from their parts).
  expect(sent).toHaveLength(16);
  expect(executorMismatches().length).toBe(mismatches);
  expect(result.errors!.map((error) => error.extensions?.code)).not.toContain('EXECUTOR_MISMATCH');
  expect(result.errors!.length).toBeGreaterThan(1);
});
