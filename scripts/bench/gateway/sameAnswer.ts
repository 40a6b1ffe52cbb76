import { isDeepStrictEqual } from 'node:util';

/** Where two JSON values first differ (a path like `users.0.reviews.1.body`), or null when they are equal. */
export function firstDifference(actual: unknown, expected: unknown, path: string[] = []): string | null {
  if (isDeepStrictEqual(actual, expected)) return null;
  const here = path.join('.') || '(the whole answer)';
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return `${here}: ${JSON.stringify(actual)?.slice(0, 80)} instead of ${JSON.stringify(expected)?.slice(0, 80)}`;
  }
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    const difference = firstDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], [...path, key]);
    if (difference) return difference;
  }
  return `${here}: differs`;
}

/**
 * Why a gateway's answer is not the expected one: a failed request, errors in the answer, or the
 * first place its data differs (deep equality of the JSON data; key order does not matter). Null
 * when it is the same.
 */
export async function answerProblem(url: string, body: string, authorization: string, expected: unknown): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
  } catch (error) {
    return `no answer (${(error as Error).message})`;
  }
  const text = await response.text();
  let answer: { data?: unknown; errors?: { message?: string }[] };
  try {
    answer = JSON.parse(text);
  } catch {
    return `HTTP ${response.status}, not JSON: ${text.slice(0, 120)}`;
  }
  if (answer.errors?.length) return `answered with errors: ${answer.errors.map((error) => error.message).join('; ').slice(0, 200)}`;
  if (response.status !== 200) return `HTTP ${response.status}`;
  const difference = firstDifference(answer.data, expected);
  return difference ? `different data at ${difference}` : null;
}
