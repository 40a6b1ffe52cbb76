import { executorMismatches } from '../../gateway/executor/executorMismatches';

/**
 * GATEWAY_EXECUTOR of the test run's environment, for the gateways tests start (`npm run
 * test:differential` sets `differential`: every request runs both executors and compares them).
 */
export function testExecutorEnv(): Record<string, string> {
  const executor = process.env.GATEWAY_EXECUTOR;
  return executor ? { GATEWAY_EXECUTOR: executor } : {};
}

/**
 * Whether the subgraphs of a test stack see the fast executor's fetches, several to one subgraph
 * merged into one request (GATEWAY_FETCH_BATCHING, on by default): not under `apollo`, nor under
 * `differential`, where Apollo's executor makes the real fetches and ours gets them replayed.
 */
export function subgraphsSeeMergedFetches(): boolean {
  return (testExecutorEnv().GATEWAY_EXECUTOR ?? 'fast') === 'fast';
}

/** Fails when the differential executor found a difference in this test file (each is logged too). */
export function assertNoExecutorMismatches(): void {
  const found = executorMismatches();
  if (found.length > 0) throw new Error(`the gateway executors disagreed ${found.length} time(s):\n${found.slice(0, 5).join('\n')}`);
}
