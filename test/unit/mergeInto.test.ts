import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge';
import { mergeInto } from '../../gateway/executor/mergeInto';
import { seededRandom } from '../support/operationGenerator';

/** mergeInto against Apollo's deepMerge, its reference, on the same generated trees. */

const KEYS = ['id', 'name', 'reviews', 'author', 'product', '__typename', 'constructor', 'toString', 'list'];

function tree(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth === 0 || pick < 0.3) return [null, undefined, 0, 1, '', 'a', true, false][Math.floor(next() * 8)];
  if (pick < 0.55) return Array.from({ length: Math.floor(next() * 3) }, () => tree(next, depth - 1));
  // Parsed JSON, as subgraph answers are: own keys only, in any order, `__proto__` as a plain key.
  const entries = Array.from({ length: Math.floor(next() * 5) }, () => `"${KEYS[Math.floor(next() * KEYS.length)]}":${JSON.stringify(tree(next, depth - 1) ?? null)}`);
  if (next() < 0.05) entries.push('"__proto__":{"polluted":1}');
  const object = JSON.parse(`{${entries.join(',')}}`) as Record<string, unknown>;
  // An undefined value (which JSON cannot carry) leaves the target's key alone.
  if (next() < 0.2) object[KEYS[Math.floor(next() * KEYS.length)]!] = undefined;
  return object;
}

/** Key order counts: the client's response is serialized in it. */
const ordered = (value: unknown): string => JSON.stringify(value, (_key, inner: unknown) => (inner === undefined ? '<undefined>' : inner));

test('mergeInto leaves every target as deepMerge does, key order included, over 5000 generated pairs', () => {
  for (let seed = 1; seed <= 5000; seed++) {
    const next = seededRandom(seed).next;
    const target = JSON.stringify(tree(next, 4) ?? {});
    const source = tree(next, 4);
    const theirs = JSON.parse(target.startsWith('{') ? target : '{}') as object;
    const ours = JSON.parse(target.startsWith('{') ? target : '{}') as object;
    let theirError: unknown = null;
    let ourError: unknown = null;
    try {
      deepMerge(theirs, source);
    } catch (error) {
      theirError = (error as Error).constructor;
    }
    try {
      mergeInto(ours, source);
    } catch (error) {
      ourError = (error as Error).constructor;
    }
    const same = ordered(ours) === ordered(theirs) && ourError === theirError && Object.keys(ours).join() === Object.keys(theirs).join();
    if (!same) throw new Error(`seed ${seed}: ${ordered(ours)} (${String(ourError)}) but deepMerge gives ${ordered(theirs)} (${String(theirError)})`);
  }
});

test('a key the target only inherits becomes its own, and lists of equal length merge element by element', () => {
  const target: Record<string, unknown> = { list: [{ id: 1 }, 2], author: { id: 'u1' } };
  mergeInto(target, JSON.parse('{"constructor":"c","list":[{"name":"n"},3],"author":{"name":"Ada"}}'));
  expect(Object.prototype.hasOwnProperty.call(target, 'constructor')).toBe(true);
  expect(target).toEqual({ list: [{ id: 1, name: 'n' }, 3], author: { id: 'u1', name: 'Ada' }, constructor: 'c' });
});
