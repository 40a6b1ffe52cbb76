import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { getOperationAST, parse, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_FILE } from '../../schema/subgraphs';
import { costDirectivesOf } from '../../gateway/guards/costDirectives';
import { estimateCost, type CostOptions } from '../../gateway/guards/estimateCost';
import { operationCost } from '../../gateway/guards/operationCost';

/** The estimate remembered per operation (gateway/guards/operationCost.ts) is the estimate of each request's own variables. */
const supergraphSdl = readFileSync(SUPERGRAPH_FILE, 'utf8');
const schema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const directives = costDirectivesOf(supergraphSdl);
const document = parse('query Teams($n: Int = 5, $m: Int) { teams(first: $n) { edges { node { id members(first: $m) { edges { node { role user { id } } } } } } } }');
const operation = getOperationAST(document) as OperationDefinitionNode;
const options = (variables: Record<string, unknown>, over: Partial<CostOptions> = {}): CostOptions => ({ directives, defaultListSize: 20, maxListSize: 100, variables, ...over });

test('the same operation with other slicing variables costs what those variables make it cost', () => {
  const cases: Record<string, unknown>[] = [{}, { n: 50 }, { n: 50 }, { n: 50, m: 100 }, { n: 50, m: 3 }, { m: 3 }, {}, { n: null }, { n: 'x' }, { n: 50, unrelated: 1 }];
  for (const variables of cases) {
    expect(operationCost(schema, document, operation, options(variables))).toBe(estimateCost(schema, document, operation, options(variables)));
  }
  expect(operationCost(schema, document, operation, options({ n: 100, m: 100 }))).toBeGreaterThan(operationCost(schema, document, operation, options({ n: 1, m: 1 })));
});

test('other list-size settings or other directives are estimated afresh', () => {
  const base = operationCost(schema, document, operation, options({ n: 50, m: 50 }));
  expect(operationCost(schema, document, operation, options({ n: 50, m: 50 }, { maxListSize: 10 }))).toBeLessThan(base);
  expect(operationCost(schema, document, operation, options({}, { defaultListSize: 1 }))).toBe(estimateCost(schema, document, operation, options({}, { defaultListSize: 1 })));
  const heavier = costDirectivesOf(supergraphSdl);
  const weighted = { ...heavier, typeWeight: (type: string) => (type === 'Team' ? 50 : heavier.typeWeight(type)) };
  expect(operationCost(schema, document, operation, options({ n: 50, m: 50 }, { directives: weighted }))).toBeGreaterThan(base);
  expect(operationCost(schema, document, operation, options({ n: 50, m: 50 }))).toBe(base);
});

test('a remembered estimate is used only while the variables it read are the same', () => {
  let lookups = 0;
  const counting = { ...directives, listSize: (type: string, field: string) => (lookups++, directives.listSize(type, field)) };
  const first = operationCost(schema, document, operation, options({ n: 7, m: 7 }, { directives: counting }));
  expect(lookups).toBeGreaterThan(0);
  lookups = 0;
  expect(operationCost(schema, document, operation, options({ n: 7, m: 7, other: 'x' }, { directives: counting }))).toBe(first);
  expect(lookups).toBe(0);
  expect(operationCost(schema, document, operation, options({ n: 8, m: 7 }, { directives: counting }))).toBeGreaterThan(first);
  expect(lookups).toBeGreaterThan(0);
});
