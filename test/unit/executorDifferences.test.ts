import { GraphQLError } from 'graphql';
import { differences } from '../../gateway/executor/compareResults';

/** What the differential executor counts as a difference between Apollo's answer and ours. */
const answer = (result: object) => ({ result });
const error = (message: string, path?: (string | number)[], code?: string) => new GraphQLError(message, { path, extensions: code ? { code } : {} });

test('the same data, errors and extensions: no difference', () => {
  const one = { data: { a: 1, b: [{ c: null }] }, errors: [error('x', ['a'], 'FORBIDDEN'), error('y', ['b', 0, 'c'])] };
  const two = { data: { a: 1, b: [{ c: null }] }, errors: [error('y', ['b', 0, 'c']), error('x', ['a'], 'FORBIDDEN')] };
  expect(differences(answer(one), answer(two))).toEqual([]);
});

test('data that differs in a value, in key order, or null against an object is a difference', () => {
  expect(differences(answer({ data: { a: 1 } }), answer({ data: { a: 2 } }))).toHaveLength(1);
  expect(differences(answer({ data: { a: 1, b: 2 } }), answer({ data: { b: 2, a: 1 } }))).toHaveLength(1);
  expect(differences(answer({ data: null }), answer({ data: {} }))).toHaveLength(1);
});

test('an error with another message, path or code, or one more error, is a difference', () => {
  const base = { data: {}, errors: [error('x', ['a', 0], 'FORBIDDEN')] };
  expect(differences(answer(base), answer({ data: {}, errors: [error('z', ['a', 0], 'FORBIDDEN')] }))).toHaveLength(1);
  expect(differences(answer(base), answer({ data: {}, errors: [error('x', ['a', 1], 'FORBIDDEN')] }))).toHaveLength(1);
  expect(differences(answer(base), answer({ data: {}, errors: [error('x', ['a', 0], 'NOT_FOUND')] }))).toHaveLength(1);
  expect(differences(answer(base), answer({ data: {}, errors: [...base.errors, error('x', ['a', 0], 'FORBIDDEN')] }))).toHaveLength(1);
  expect(differences(answer(base), answer({ data: {} }))).toHaveLength(1);
});

test('extensions (value completion errors) are compared; one side throwing is a difference', () => {
  expect(differences(answer({ data: {}, extensions: { valueCompletion: [error('bad')] } }), answer({ data: {} }))).toHaveLength(1);
  expect(differences({ thrown: new Error('no') }, answer({ data: {} }))).toHaveLength(1);
  expect(differences({ thrown: new Error('no') }, { thrown: new Error('no') })).toEqual([]);
});
