import { flattenAt } from '../../gateway/executor/runPlan';
import { seededRandom } from '../support/operationGenerator';

/**
 * flattenAt against @apollo/gateway's `flattenResultsAtPath` (executeQueryPlan.js, not exported:
 * restated here as it is there), on the same generated result trees and paths.
 */
function flattenResultsAtPath(value: any, path: (string | number)[]): any {
  if (path.length === 0) return value;
  if (value === undefined || value === null) return value;
  const [current, ...rest] = path;
  if (current === '@') return value.flatMap((element: unknown) => flattenResultsAtPath(element, rest));
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  return flattenResultsAtPath(Object.prototype.hasOwnProperty.call(value, current) ? value[current] : undefined, rest);
}

const KEYS = ['users', 'reviews', 'product', 'author'];

function tree(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth === 0 || pick < 0.15) return [null, undefined, 1, 'a'][Math.floor(next() * 4)];
  if (pick < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => tree(next, depth - 1));
  return Object.fromEntries(KEYS.filter(() => next() < 0.6).map((key) => [key, tree(next, depth - 1)]));
}

function path(next: () => number): (string | number)[] {
  return Array.from({ length: 1 + Math.floor(next() * 6) }, () => (next() < 0.45 ? '@' : next() < 0.02 ? 0 : KEYS[Math.floor(next() * KEYS.length)]!));
}

const outcome = (run: () => unknown) => {
  try {
    return { value: run() };
  } catch (error) {
    return { thrown: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
};

test('flattenAt gives what flattenResultsAtPath gives (the same elements in the same order, or the same failure), over 20000 trees and paths', () => {
  let lists = 0;
  for (let seed = 1; seed <= 20_000; seed++) {
    const next = seededRandom(seed).next;
    const data = tree(next, 6);
    const at = path(next);
    const theirs = outcome(() => flattenResultsAtPath(data, at)) as { value?: any; thrown?: string };
    const ours = outcome(() => flattenAt(data, at, 0)) as { value?: any; thrown?: string };
    if (Array.isArray(theirs.value) && theirs.value.length > 1) lists++;
    // Identity, not just equality: the executor merges answers into the very objects returned.
    const same = 'thrown' in theirs ? ours.thrown === theirs.thrown : Array.isArray(theirs.value) ? Array.isArray(ours.value) && ours.value.length === theirs.value.length && ours.value.every((element: unknown, i: number) => Object.is(element, theirs.value[i])) : Object.is(ours.value, theirs.value);
    if (!same) throw new Error(`seed ${seed}, path ${JSON.stringify(at)}: ${JSON.stringify(ours)} but flattenResultsAtPath gives ${JSON.stringify(theirs)}`);
  }
  // The generator reaches the interesting cases, not only empty answers.
  expect(lists).toBeGreaterThan(500);
});
