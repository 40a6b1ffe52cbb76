import { executeQueryPlan } from '@apollo/gateway';
import type { GraphQLSchema } from 'graphql';
import type { FetchBatching } from '../../gateway/executor/compileBatches';
import { answerAsSent, DistinctRepresentations, errorsPerEntity } from '../../gateway/executor/distinctRepresentations';
import { executeCompiled } from '../../gateway/executor/executeCompiled';
import { STANDARD_QUERY } from '../../scripts/bench/gateway/standard/query';
import type { StandardSubgraph } from '../../scripts/bench/gateway/standard/subgraphs';
import { apiSchema, compile, dataSources, errorKeys, failingInventory, FAILING_UPC, requestContext, standardSchemas, type Sent } from '../support/standardInProcess';

/**
 * An entity fetch sends each distinct representation once (gateway/executor/distinctRepresentations.ts)
 * where Apollo's executor sends one per entity; the response must stay Apollo's to the byte, errors
 * at every entity included. Both executors run here on the same plan against the standard
 * benchmark's subgraphs in-process.
 */

/** The representations each sent fetch carried (every list of a merged one). */
function representationsOf(sent: Sent): unknown[] {
  const lists = Object.entries(sent.variables ?? {}).filter(([name]) => name.startsWith('representations'));
  return lists.flatMap(([, list]) => list as unknown[]);
}

async function both(schemas: Record<StandardSubgraph, GraphQLSchema>, batching: FetchBatching) {
  const compiled = compile(STANDARD_QUERY, batching);
  const oursSent: Sent[] = [];
  const apolloSent: Sent[] = [];
  const ours = await executeCompiled(compiled, dataSources(schemas, oursSent), requestContext());
  const apollo = await executeQueryPlan(compiled.plan, dataSources(schemas, apolloSent), requestContext(), compiled.operationContext, compiled.supergraph, apiSchema);
  return { ours, apollo, oursSent, apolloSent };
}

test("each fetch sends its distinct representations once, and the response is Apollo's", async () => {
  const { ours, apollo, oursSent, apolloSent } = await both(standardSchemas(), 'off');
  expect(ours.errors).toBeUndefined();
  expect(JSON.stringify(ours.data)).toBe(JSON.stringify(apollo.data));
  // Fetch by fetch (batching off: the same 16 operations), ours carries exactly Apollo's distinct representations.
  const byOperation = (sent: Sent[]) => new Map(sent.filter((fetch) => fetch.variables?.representations).map((fetch) => [`${fetch.subgraph} ${fetch.query}`, representationsOf(fetch)]));
  const oursByOperation = byOperation(oursSent);
  const apolloByOperation = byOperation(apolloSent);
  expect([...oursByOperation.keys()].sort()).toEqual([...apolloByOperation.keys()].sort());
  for (const [operation, representations] of apolloByOperation) {
    const distinct = [...new Set(representations.map((representation) => JSON.stringify(representation)))];
    expect(oursByOperation.get(operation)!.map((representation) => JSON.stringify(representation))).toEqual(distinct);
  }
  const total = (sent: Sent[]) => sent.reduce((sum, fetch) => sum + representationsOf(fetch).length, 0);
  // The nested query names the same 6 users and 9 products again and again: 637 representations where 58 say it all.
  expect(total(apolloSent)).toBe(637);
  expect(total(oursSent)).toBe(58);
});

test('an error at an entity whose representation was sent once comes back at every entity that shares it, as from Apollo', async () => {
  for (const batching of ['off', 'levels'] as const) {
    const { ours, apollo } = await both({ ...standardSchemas(), inventory: failingInventory() }, batching);
    const mentions = (errors: readonly { message: string }[] | undefined) => (errors ?? []).filter((error) => error.message.includes(`stock of ${FAILING_UPC}`)).length;
    // Product 2 is reached at many places; its one failing representation is an error at each.
    expect(mentions(ours.errors)).toBeGreaterThan(5);
    expect(errorKeys(ours.errors)).toEqual(errorKeys(apollo.errors as never));
    expect(JSON.stringify(ours.data)).toBe(JSON.stringify(apollo.data));
  }
});

test("a subgraph's errors for the distinct representations, per entity, and back", () => {
  // Entities 0 and 2 share the first representation sent, 1 and 4 the second, 3 has the third.
  const slots = [0, 1, 0, 2, 1];
  const sentAnswer = {
    data: { _entities: [{ n: 'a' }, null, { n: 'c' }] },
    errors: [{ message: 'b failed', path: ['_entities', 1, 'n'] }, { message: 'whole request' }, { message: 'c odd', path: ['_entities', 2] }],
  };
  expect(errorsPerEntity(sentAnswer.errors, slots)).toEqual([
    { message: 'b failed', path: ['_entities', 1, 'n'] },
    { message: 'b failed', path: ['_entities', 4, 'n'] },
    { message: 'whole request' },
    { message: 'c odd', path: ['_entities', 3] },
  ]);
  expect(errorsPerEntity(sentAnswer.errors, null)).toBe(sentAnswer.errors);
  // What a subgraph answers a representation per entity, as it answers the distinct ones (the differential executor's replay).
  const perEntity = {
    data: { _entities: [{ n: 'a' }, null, { n: 'a' }, { n: 'c' }, null] },
    errors: [{ message: 'b failed', path: ['_entities', 1, 'n'] }, { message: 'b failed', path: ['_entities', 4, 'n'] }, { message: 'whole request' }, { message: 'c odd', path: ['_entities', 3] }],
  };
  expect(answerAsSent(perEntity, slots)).toEqual(sentAnswer);
});

test('representations are told apart by their values: kinds kept apart, objects and lists by their JSON, a missing field gives none', () => {
  const distinct = new DistinctRepresentations();
  const product = (upc: unknown, extra: Record<string, unknown> = {}) => ({ __typename: 'Product', upc, ...extra });
  expect(distinct.indexOf('Product', product('1'))).toBe(0);
  expect(distinct.indexOf('Product', product('1'))).toBe(0);
  // The number 1 is not the string "1"; null is a value of its own.
  expect(distinct.indexOf('Product', product(1))).toBe(1);
  expect(distinct.indexOf('Product', product(null))).toBe(2);
  // Another entity type with the same representation (an @interfaceObject rewrites both to one interface).
  expect(distinct.indexOf('Book', product('1'))).toBe(3);
  // An object value: by its JSON, never equal to a string that reads the same.
  expect(distinct.indexOf('Product', product({ sku: 'a' }))).toBe(4);
  expect(distinct.indexOf('Product', product({ sku: 'a' }))).toBe(4);
  expect(distinct.indexOf('Product', product('{"sku":"a"}'))).toBe(5);
  expect(distinct.indexOf('Product', product(['a', 'b']))).toBe(6);
  expect(distinct.indexOf('Product', product(['a', 'b']))).toBe(6);
  // From an entity's fields: the same index as its built representation, built only when new.
  const built: unknown[] = [];
  const build = (entity: Record<string, unknown>) => (built.push(entity), { __typename: entity.__typename, upc: entity.upc });
  expect(distinct.indexOfFields('Product', { __typename: 'Product', upc: '1', name: 'Desk' }, ['__typename', 'upc'], build)).toBe(0);
  expect(distinct.indexOfFields('Product', { __typename: 'Product', upc: '9' }, ['__typename', 'upc'], build)).toBe(7);
  expect(built).toHaveLength(1);
  expect(distinct.indexOfFields('Product', { __typename: 'Product' }, ['__typename', 'upc'], build)).toBe(-1);
  expect(distinct.indexOfFields('Product', { __typename: 'Product', upc: undefined }, ['__typename', 'upc'], build)).toBe(-1);
  expect(distinct.list).toHaveLength(8);
  expect(distinct.list[7]).toEqual({ __typename: 'Product', upc: '9' });
});
