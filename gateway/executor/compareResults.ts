import type { GraphQLError } from 'graphql';
import type { Settled } from './runDifferential';

/** What of an error a client sees and the comparison checks. */
function errorKey(error: GraphQLError | Error): string {
  const { path, extensions } = error as Partial<GraphQLError>;
  return JSON.stringify({ message: error.message, path: path ?? null, code: extensions?.code ?? null });
}

/**
 * How two executions of one request differ, in words (empty: they agree). Data and extensions are
 * compared as the JSON a client would get (key order included); errors as message, path and
 * extensions.code, in any order (parallel fetches may finish in another order in each run).
 */
export function differences(reference: Settled, ours: Settled): string[] {
  if ('thrown' in reference || 'thrown' in ours) {
    const message = (settled: Settled) => ('thrown' in settled ? `threw ${(settled.thrown as Error)?.message ?? String(settled.thrown)}` : 'answered');
    return message(reference) === message(ours) ? [] : [`apollo ${message(reference)}, ours ${message(ours)}`];
  }
  const found: string[] = [];
  const a = reference.result;
  const b = ours.result;
  const dataA = JSON.stringify(a.data);
  const dataB = JSON.stringify(b.data);
  if (dataA !== dataB) found.push(`data: apollo ${dataA?.slice(0, 2000)} / ours ${dataB?.slice(0, 2000)}`);
  const errorsA = (a.errors ?? []).map(errorKey).sort();
  const errorsB = (b.errors ?? []).map(errorKey).sort();
  if (JSON.stringify(errorsA) !== JSON.stringify(errorsB)) found.push(`errors: apollo [${errorsA.join(', ')}] / ours [${errorsB.join(', ')}]`);
  const extensionsA = JSON.stringify(a.extensions ?? null);
  const extensionsB = JSON.stringify(b.extensions ?? null);
  if (extensionsA !== extensionsB) found.push(`extensions: apollo ${extensionsA} / ours ${extensionsB}`);
  return found;
}
