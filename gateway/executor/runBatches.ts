import { evaluateCondition } from '@apollo/query-planner';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { mergedFor, type Batch, type BatchPlan, type PlannedFetch } from './compileBatches';
import { splitMergedResponse, type PartSlot } from './mergeEntityFetches';
import { absorbResponse, flattenAt, ownRequest, prepareFetch, referenceRequest, sendTraced, type PlanRun, type PreparedFetch } from './runPlan';

/**
 * Runs a plan compiled into batches (compileBatches): each batch once the batches it waits for
 * have answered; in a batch, every fetch that has something to fetch is prepared as
 * `executeFetch` would (the same representations and variables), and those to fetch go as one
 * request through the subgraph's data source (one call through the client: breaker, retry, time
 * bounds, signing, metrics). A lone one goes as its own operation, unchanged; several as their
 * merged operation, whose answer is split back so that each fetch merges its data and reports
 * its errors, at their paths, exactly as it would have alone.
 */
export async function runBatches(run: PlanRun, plan: BatchPlan): Promise<void> {
  const done: Promise<void>[] = [];
  for (const batch of plan.batches) {
    const waited = batch.after.map((index) => done[index]!);
    done.push(waited.length === 0 ? runBatch(run, batch) : Promise.all(waited).then(() => runBatch(run, batch)));
  }
  await Promise.all(done);
}

function dataOf(run: PlanRun, fetch: PlannedFetch): unknown {
  let data: unknown = run.data;
  for (const path of fetch.flattens) {
    data = flattenAt(data, path, 0);
    // As `moveIntoCursor`: nothing there, nothing to fetch.
    if (!data) return undefined;
  }
  return data;
}

function runs(run: PlanRun, fetch: PlannedFetch): boolean {
  for (const guard of fetch.guards) {
    if (evaluateCondition(guard.node, run.operation.variableDefinitions, run.requestContext.request.variables) !== guard.branch) return false;
  }
  return true;
}

async function runBatch(run: PlanRun, batch: Batch): Promise<void> {
  const prepared: PreparedFetch[] = [];
  let mask = 0;
  for (let i = 0; i < batch.fetches.length; i++) {
    const fetch = batch.fetches[i]!;
    if (!runs(run, fetch)) continue;
    const data = dataOf(run, fetch);
    if (data === undefined) continue;
    try {
      const ready = prepareFetch(run, fetch.step, data, fetch.path);
      if (!ready) continue;
      prepared.push(ready);
      mask |= 1 << i;
    } catch (error) {
      run.errors.push(error as Error);
    }
  }
  if (prepared.length === 0) return;
  const first = prepared[0]!;
  const serviceName = first.step.node.serviceName;
  if (prepared.length === 1) {
    try {
      absorbResponse(run, first, await sendTraced(run, serviceName, ownRequest(run, first), first.step.node.operationDocumentNode, first.path, 1));
    } catch (error) {
      run.errors.push(error as Error);
    }
    return;
  }
  const merged = mergedFor(batch, mask);
  const variables: Record<string, unknown> = Object.create(null);
  const lists = new Map<string, Record<string, unknown>[]>();
  const slots: PartSlot[] = prepared.map((fetch, index) => {
    const { alias, variable } = merged.parts[index]!;
    for (const name in fetch.variables) if (name !== 'representations') variables[name] = fetch.variables[name];
    let list = lists.get(variable);
    if (!list) lists.set(variable, (list = []));
    const offset = list.length;
    for (const representation of fetch.representations!) list.push(representation);
    return { alias, offset, count: fetch.representations!.length };
  });
  for (const { variable } of merged.aliases) variables[variable] = lists.get(variable);
  const request: GatewayGraphQLRequest = { query: merged.query, variables, operationName: merged.operationName };
  if (run.references) run.references.set(request, { parts: prepared.map((fetch) => ({ request: referenceRequest(fetch), slots: fetch.slots })), merged: slots });
  let answers: GatewayGraphQLResponse[];
  try {
    answers = splitMergedResponse(await sendTraced(run, serviceName, request, merged.document, first.path, prepared.length), slots);
  } catch (error) {
    for (let i = 0; i < prepared.length; i++) run.errors.push(error as Error);
    return;
  }
  for (let i = 0; i < prepared.length; i++) {
    try {
      absorbResponse(run, prepared[i]!, answers[i]!);
    } catch (error) {
      run.errors.push(error as Error);
    }
  }
}
