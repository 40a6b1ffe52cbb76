import { buildSchema, getOperationAST, parse } from 'graphql';
import { checkVariableDepth } from '../../gateway/guards/checkVariableDepth';
import { refusal } from '../support/refusal';

const schema = buildSchema(`
  scalar JSON
  input Inner { document: JSON, tags: [String!] }
  input Outer { inner: Inner, list: [[Int]] }
  type Query { take(outer: Outer, json: JSON): Int }
`);
const operation = getOperationAST(parse('query($outer: Outer, $json: JSON) { take(outer: $outer, json: $json) }'))!;
const nested = (depth: number): unknown => (depth === 0 ? 1 : { d: nested(depth - 1) });
const deepArray = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const check = (variables: Record<string, unknown>, maxDepth = 5) => () => checkVariableDepth(schema, operation, variables, maxDepth);

test('values within the depth pass', () => {
  expect(check({ outer: { inner: { document: nested(2) } }, json: nested(4) })).not.toThrow();
  expect(check({ outer: null, json: 'text' })).not.toThrow();
});

test('too deep inside a JSON scalar: named by the input field that holds it', () => {
  const error = refusal(check({ outer: { inner: { document: nested(10) } } }), 'outer.inner.document');
  expect(error.message).toBe('outer.inner.document: nested more than 5 levels deep');
  expect(error.extensions.http).toMatchObject({ status: 400 });
});

test('too deep in lists of the schema: named by the input field', () => {
  refusal(check({ outer: { list: deepArray(20) } }), 'outer.list');
});

test('a variable itself too deep: named by the variable', () => {
  refusal(check({ json: deepArray(20) }), 'json');
});

test('a value nested 100,000 deep is refused at once, without recursion', () => {
  const started = Date.now();
  refusal(check({ json: deepArray(100_000) }, 64), 'json');
  expect(Date.now() - started).toBeLessThan(1_000);
});

test('variables the operation does not declare are bounded too', () => {
  refusal(check({ stray: nested(10) }), 'stray');
});
