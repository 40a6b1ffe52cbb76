import type { ConditionNode } from '@apollo/query-planner';
import type { Step } from './compilePlan';
import { canMerge, entityOperation, mergeEntityOperations, type EntityOperation, type MergedOperation } from './mergeEntityFetches';
import type { FetchStep } from './runPlan';

/**
 * How fetches to one subgraph are put together (GATEWAY_FETCH_BATCHING; README "Gateway executor"):
 * - `levels`: the entity fetches at the same depth of the plan (as many fetches before them) go
 *   as one request; such a request starts once every fetch its parts wait for has answered, and a
 *   fetch that nothing waits for may go one level later to join a request to its subgraph there;
 * - `ready`: only those that would start at the same moment (they wait for the same requests);
 * - `off`: every fetch alone, as Apollo's plan runs it.
 */
export type FetchBatching = 'levels' | 'ready' | 'off';
export const FETCH_BATCHING_MODES = ['levels', 'ready', 'off'] as const;

/** The most fetches one request carries (a request's parts are bits of a number). */
export const MAX_BATCH_FETCHES = 30;

/** One fetch of the plan where it sits: how to find its data and whether it runs at all. */
export interface PlannedFetch {
  step: FetchStep;
  /** The Flatten paths from the root to its data, outermost first. */
  flattens: (string | number)[][];
  /** The full response path of its data (for errors and the data source). */
  path: (string | number)[];
  /** The Condition branches it is in: it runs when each condition evaluates to `branch`. */
  guards: { node: ConditionNode; branch: boolean }[];
  /** Null when it always goes alone (a root fetch, a mutation, an operation of another form). */
  entity: EntityOperation | null;
}

/** Fetches to one subgraph that go together, and the batches that must have answered first. */
export interface Batch {
  fetches: PlannedFetch[];
  after: number[];
  /** The merged operations of the subsets of `fetches` that had something to fetch, by bitmask; made when first needed. */
  merged: Map<number, MergedOperation>;
}

/** The plan as batches in an order where each comes after those it waits for. */
export interface BatchPlan {
  batches: Batch[];
}

/**
 * The plan's fetches put together per `mode`, or null when that merges nothing (the plan then
 * runs as its steps say) or the plan has a step only Apollo's executor reports on.
 */
export function compileBatches(step: Step | null, mode: FetchBatching): BatchPlan | null {
  if (!step || mode === 'off') return null;
  const fetches: PlannedFetch[] = [];
  const waitsFor: number[][] = [];
  if (!collect(step, [], [], [], [], fetches, waitsFor)) return null;
  const count = fetches.length;
  // Depth: one more than the deepest fetch waited for.
  const level = new Array<number>(count).fill(0);
  for (let i = 0; i < count; i++) for (const j of waitsFor[i]!) level[i] = Math.max(level[i]!, level[j]! + 1);
  const waitedBy: number[][] = fetches.map(() => []);
  for (let i = 0; i < count; i++) for (const j of waitsFor[i]!) waitedBy[j]!.push(i);
  const groupOf = new Array<number>(count).fill(-1);
  const groups: number[][] = [];
  const join = (candidates: number[], i: number) => {
    const fetch = fetches[i]!;
    if (!fetch.entity) return -1;
    return candidates.find((g) => {
      const first = fetches[groups[g]![0]!]!;
      return first.entity && groups[g]!.length < MAX_BATCH_FETCHES && first.step.node.serviceName === fetch.step.node.serviceName && canMerge(fetch.entity!, groups[g]!.map((k) => fetches[k]!.entity!));
    }) ?? -1;
  };
  // Fetches in an order where each comes after those it waits for (the plan's order is one).
  const order = [...fetches.keys()].sort((a, b) => level[a]! - level[b]! || a - b);
  if (mode === 'ready') {
    const byWait = new Map<string, number[]>();
    for (const i of order) {
      const key = [...new Set(waitsFor[i]!.map((j) => groupOf[j]!))].sort((a, b) => a - b).join(',');
      const candidates = byWait.get(key) ?? [];
      let g = join(candidates, i);
      if (g < 0) {
        g = groups.push([]) - 1;
        candidates.push(g);
        byWait.set(key, candidates);
      }
      groups[g]!.push(i);
      groupOf[i] = g;
    }
  } else {
    const latest = (i: number) => (waitedBy[i]!.length === 0 ? Infinity : Math.min(...waitedBy[i]!.map((k) => level[k]!)) - 1);
    const byLevel: number[][] = [];
    for (const i of order) {
      const candidates = (byLevel[level[i]!] ??= []);
      let g = join(candidates, i);
      if (g < 0) {
        g = groups.push([]) - 1;
        candidates.push(g);
      }
      groups[g]!.push(i);
      groupOf[i] = g;
    }
    // A fetch alone at its level that may wait (nothing waits for it that soon) joins a request
    // to its subgraph at a later level: one request less, and no later end for the plan.
    for (const i of order) {
      const g = groupOf[i]!;
      if (groups[g]!.length !== 1 || !fetches[i]!.entity) continue;
      const last = Math.min(latest(i), byLevel.length - 1);
      for (let at = level[i]! + 1; at <= last; at++) {
        const candidates = (byLevel[at] ?? []).filter((k) => groups[k]!.length > 0);
        const target = join(candidates, i);
        if (target < 0) continue;
        groups[g] = [];
        groups[target]!.push(i);
        groupOf[i] = target;
        level[i] = at;
        break;
      }
    }
  }
  const kept = groups.map((members, g) => ({ members, g })).filter(({ members }) => members.length > 0);
  if (kept.every(({ members }) => members.length === 1)) return null;
  // Batches in the order of their first fetch's level: each after those it waits for.
  kept.sort((a, b) => Math.min(...a.members.map((i) => level[i]!)) - Math.min(...b.members.map((i) => level[i]!)) || a.members[0]! - b.members[0]!);
  const indexOfGroup = new Map(kept.map(({ g }, index) => [g, index]));
  const batches = kept.map(({ members, g }): Batch => {
    const after = new Set<number>();
    for (const i of members) for (const j of waitsFor[i]!) if (groupOf[j] !== g) after.add(indexOfGroup.get(groupOf[j]!)!);
    return { fetches: members.sort((a, b) => a - b).map((i) => fetches[i]!), after: [...after].sort((a, b) => a - b), merged: new Map() };
  });
  return { batches };
}

/**
 * Walks the steps: each fetch with its data's place, its guards and the fetches it waits for (in
 * a Sequence, everything before it). False when a step is one this executor leaves to the steps.
 */
function collect(
  step: Step,
  flattens: (string | number)[][],
  path: (string | number)[],
  guards: PlannedFetch['guards'],
  before: number[],
  fetches: PlannedFetch[],
  waitsFor: number[][],
): boolean {
  switch (step.kind) {
    case 'sequence': {
      const waited = [...before];
      for (const child of step.steps) {
        const first = fetches.length;
        if (!collect(child, flattens, path, guards, waited, fetches, waitsFor)) return false;
        for (let i = first; i < fetches.length; i++) waited.push(i);
      }
      return true;
    }
    case 'parallel':
      return step.steps.every((child) => collect(child, flattens, path, guards, before, fetches, waitsFor));
    case 'flatten':
      return collect(step.step, [...flattens, step.path], step.fullPath, guards, before, fetches, waitsFor);
    case 'fetch':
      fetches.push({ step, flattens, path, guards, entity: step.represent ? entityOperation(step.node) : null });
      waitsFor.push([...before]);
      return true;
    case 'condition':
      return (
        (!step.ifStep || collect(step.ifStep, flattens, path, [...guards, { node: step.node, branch: true }], before, fetches, waitsFor)) &&
        (!step.elseStep || collect(step.elseStep, flattens, path, [...guards, { node: step.node, branch: false }], before, fetches, waitsFor))
      );
    case 'unsupported':
      return false;
  }
}

/** The merged operation of the fetches of `batch` in `mask` (bit i: `batch.fetches[i]`), compiled on first use. */
export function mergedFor(batch: Batch, mask: number): MergedOperation {
  let merged = batch.merged.get(mask);
  if (!merged) {
    const parts = batch.fetches.filter((_, i) => mask & (1 << i));
    merged = mergeEntityOperations(parts.map((fetch) => fetch.entity!), parts[0]!.step.node.operationName);
    batch.merged.set(mask, merged);
  }
  return merged;
}
