import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Context } from '@opentelemetry/api';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites';
import { mergeInto } from './mergeInto';
import { evaluateCondition, type FetchNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequest, GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Operation } from '@apollo/federation-internals';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Step } from './compilePlan';
import type { PlanSpans } from './PlanSpans';
import { subgraphErrors } from './subgraphErrors';
import { DistinctRepresentations, errorsPerEntity, type Slots } from './distinctRepresentations';
import type { PartSlot } from './mergeEntityFetches';
import type { TracedFetch } from '../SubgraphDataSource';

/**
 * Runs a compiled plan over one request, as @apollo/gateway's `executeNode` / `executeFetch` do
 * (executeQueryPlan.js): the same fetches in the same order with the same variables and
 * representations, each answer merged into the one result tree where its entities are; a fetch
 * that fails adds its error and the rest goes on. No trace nodes for Apollo Studio are made (a
 * request that captures them is run by Apollo's executor instead, see FastGateway); with tracing
 * on, each fetch runs in its gateway.fetch span (`spans`).
 */
export interface PlanRun {
  serviceMap: Record<string, GraphQLDataSource>;
  requestContext: GatewayGraphQLRequestContext;
  supergraph: GraphQLSchema;
  /** The operation as shaped (its variable definitions decide Condition nodes). */
  operation: Operation;
  /** The result tree every fetch merges into. */
  data: Record<string, unknown>;
  errors: (GraphQLError | Error)[];
  /** The request's spans; null with tracing off. */
  spans: PlanSpans | null;
  /**
   * Only while the differential executor replays (runDifferential.ts): for each request sent
   * that is not one Apollo's executor sends (fetches merged, representations made distinct), the
   * ones it sends instead.
   */
  references: Map<GatewayGraphQLRequest, ReferenceRequests> | null;
}

/** What Apollo's executor sends for one request of ours: a request per fetch, and where each fetch's part is in the merged answer. */
export interface ReferenceRequests {
  parts: { request: GatewayGraphQLRequest; slots: Slots }[];
  merged: PartSlot[] | null;
}

export async function runStep(run: PlanRun, step: Step, data: unknown, path: (string | number)[]): Promise<void> {
  switch (step.kind) {
    case 'sequence':
      for (const child of step.steps) await runStep(run, child, data, path);
      return;
    case 'parallel':
      await Promise.all(step.steps.map((child) => runStep(run, child, data, path)));
      return;
    case 'flatten': {
      const inner = flattenAt(data, step.path, 0);
      // As `moveIntoCursor`: nothing there, nothing to fetch.
      if (inner) await runStep(run, step.step, inner, step.fullPath);
      return;
    }
    case 'fetch':
      try {
        await (run.spans ? run.spans.fetch(step.node.serviceName, (within) => runFetch(run, step, data, path, within)) : runFetch(run, step, data, path));
      } catch (error) {
        run.errors.push(error as Error);
      }
      return;
    case 'condition': {
      const branch = evaluateCondition(step.node, run.operation.variableDefinitions, run.requestContext.request.variables) ? step.ifStep : step.elseStep;
      if (branch) await runStep(run, branch, data, path);
      return;
    }
    case 'unsupported':
      throw new Error(step.message);
  }
}

/**
 * executeQueryPlan.js `flattenResultsAtPath`: the values at `path`, lists flattened at each '@'.
 * Every '@' level pushes into one list (`collectAt`) instead of making a list per element and
 * concatenating them on the way up (test/unit/flattenAt.test.ts runs both on the same trees).
 */
export function flattenAt(value: any, path: (string | number)[], index: number): any {
  for (; index < path.length; index++) {
    if (value === undefined || value === null) return value;
    const segment = path[index];
    if (segment === '@') {
      const flattened: unknown[] = [];
      collectElements(flattened, value, path, index + 1);
      return flattened;
    }
    value = ownValue(value, segment!);
  }
  return value;
}

/** What `flatMap` at an '@' puts in its list: `flattenAt(element, path, index)` of each element, lists spread one level. */
function collectElements(into: unknown[], list: any, path: (string | number)[], index: number): void {
  // Not a list where the path says '@': Apollo's `value.flatMap` fails, and so does this.
  if (!Array.isArray(list)) throw new TypeError('value.flatMap is not a function');
  for (let i = 0; i < list.length; i++) collectAt(into, list[i], path, index);
}

function collectAt(into: unknown[], value: any, path: (string | number)[], index: number): void {
  for (; index < path.length; index++) {
    if (value === undefined || value === null) break;
    const segment = path[index];
    if (segment === '@') return collectElements(into, value, path, index + 1);
    value = ownValue(value, segment!);
  }
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) into.push(value[i]);
  else into.push(value);
}

function ownValue(value: any, segment: string | number): any {
  if (typeof segment !== 'string') throw new Error(`Unexpected ${typeof segment} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${segment}`);
  return Object.prototype.hasOwnProperty.call(value, segment) ? value[segment] : undefined;
}

/** `trace`: the context of the fetch's span (tracing on), for the data source. */
async function runFetch(run: PlanRun, step: FetchStep, data: any, path: (string | number)[], trace?: Context): Promise<void> {
  const prepared = prepareFetch(run, step, data, path);
  if (!prepared) return;
  absorbResponse(run, prepared, await sendRequest(run, step.node.serviceName, ownRequest(run, prepared), step.node.operationDocumentNode, path, trace));
}

/** A prepared fetch's own operation, as `executeFetch` sends it but for the distinct representations. */
export function ownRequest(run: PlanRun, prepared: PreparedFetch): GatewayGraphQLRequest {
  const fetch = prepared.step.node;
  const request = { query: fetch.operation, variables: prepared.variables, operationName: fetch.operationName };
  if (run.references && prepared.slots) run.references.set(request, { parts: [{ request: referenceRequest(prepared), slots: prepared.slots }], merged: null });
  return request;
}

/** The fetch's operation exactly as `executeFetch` sends it (a representation per entity). */
export function referenceRequest(prepared: PreparedFetch): GatewayGraphQLRequest {
  const fetch = prepared.step.node;
  const { representations, slots } = prepared;
  const variables = representations && slots ? { ...prepared.variables, representations: slots.map((slot) => representations[slot]!) } : prepared.variables;
  return { query: fetch.operation, variables, operationName: fetch.operationName };
}

/**
 * One request of this run to a subgraph, through its data source (a fetch's own operation, or
 * several fetches merged); `trace`: the context of its gateway.fetch span (tracing on).
 */
export function sendRequest(
  run: PlanRun,
  serviceName: string,
  request: GatewayGraphQLRequest,
  document: DocumentNode | undefined,
  path: (string | number)[],
  trace?: Context,
): Promise<GatewayGraphQLResponse> {
  const options: GraphQLDataSourceProcessOptions & TracedFetch = {
    kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
    request,
    incomingRequestContext: run.requestContext,
    context: run.requestContext.context,
    document,
    pathInIncomingRequest: path,
    trace,
  };
  return run.serviceMap[serviceName]!.process(options);
}

/** `sendRequest` in a gateway.fetch span of its own while tracing is on (`fetches`: how many of the plan's fetches it carries). */
export function sendTraced(
  run: PlanRun,
  serviceName: string,
  request: GatewayGraphQLRequest,
  document: DocumentNode | undefined,
  path: (string | number)[],
  fetches: number,
): Promise<GatewayGraphQLResponse> {
  if (!run.spans) return sendRequest(run, serviceName, request, document, path);
  return run.spans.fetch(serviceName, (within) => sendRequest(run, serviceName, request, document, path, within), fetches);
}

export type FetchStep = Extract<Step, { kind: 'fetch' }>;

/** One fetch of one request, ready to send: its variables, and for an entity fetch the entities its answer goes to. */
export interface PreparedFetch {
  step: FetchStep;
  path: (string | number)[];
  entities: any[];
  variables: Record<string, unknown>;
  /** An entity fetch's distinct representations (also in `variables.representations`), null for a root fetch. */
  representations: Record<string, unknown>[] | null;
  /** For each representation Apollo would send (one per entity that has one), the index of its entity in `entities`. */
  representationToEntity: number[];
  /** For each of those, the index of the one sent (distinctRepresentations.ts); null when all are distinct. */
  slots: Slots;
}

/** What `executeFetch` works out before sending, or null when there is nothing to fetch. */
export function prepareFetch(run: PlanRun, step: FetchStep, data: any, path: (string | number)[]): PreparedFetch | null {
  const fetch = step.node;
  const service = run.serviceMap[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  let entities: any[];
  if (Array.isArray(data)) {
    entities = [];
    for (const entity of data) if (entity !== null && entity !== undefined) entities.push(entity);
  } else {
    entities = [data];
  }
  if (entities.length < 1) return null;
  const variables: Record<string, unknown> = Object.create(null);
  const provided = run.requestContext.request.variables;
  if (provided) {
    for (const name of step.variableUsages) {
      if (Object.prototype.hasOwnProperty.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }
  if (!step.represent) return { step, path, entities, variables, representations: null, representationToEntity: [], slots: null };
  const distinct = new DistinctRepresentations();
  const representations = distinct.list;
  const representationToEntity: number[] = [];
  const slots: number[] = [];
  const keyFields = step.keyFields;
  for (let index = 0; index < entities.length; index++) {
    const entity = entities[index];
    let slot: number;
    if (keyFields) {
      // What `represent` gives an entity of another type: nothing to send.
      if (!isObjectOfType(run.supergraph, entity, keyFields.typeCondition)) continue;
      slot = distinct.indexOfFields(entity.__typename, entity, keyFields.fields, step.represent as (entity: any) => Record<string, unknown>);
      if (slot < 0) continue;
    } else {
      const representation = step.represent(entity);
      if (!(representation && representation.__typename)) continue;
      applyRewrites(run.supergraph, fetch.inputRewrites, representation);
      slot = distinct.indexOf(entity.__typename, representation);
    }
    slots.push(slot);
    representationToEntity.push(index);
  }
  if (representations.length < 1) return null;
  if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);
  variables.representations = representations;
  return { step, path, entities, variables, representations, representationToEntity, slots: representations.length < slots.length ? slots : null };
}

/** A fetch's answer into the result tree (and its errors into the run's), as `executeFetch` does. */
export function absorbResponse(run: PlanRun, prepared: PreparedFetch, response: GatewayGraphQLResponse): void {
  const { step, path, entities, representations } = prepared;
  const fetch = step.node;
  if (response.errors) {
    const errors = errorsPerEntity(response.errors, prepared.slots);
    run.errors.push(...subgraphErrors(errors, fetch, path, run.data));
    if (!response.extensions?.ftv1) {
      const metrics = run.requestContext.metrics as { nonFtv1ErrorPaths?: { subgraph: string; path: unknown }[] };
      const errorPaths = errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...errorPaths);
      else metrics.nonFtv1ErrorPaths = errorPaths;
    }
  }
  const received = response.data as any;
  if (!representations) {
    if (received) applyRewrites(run.supergraph, fetch.outputRewrites, received);
    for (const entity of entities) mergeInto(entity, received);
    return;
  }
  if (!received) return;
  if (!(received._entities && Array.isArray(received._entities))) throw new Error(`Expected "data._entities" in response to be an array`);
  const receivedEntities: any[] = received._entities;
  if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  const slots = prepared.slots;
  if (!slots) {
    for (let i = 0; i < receivedEntities.length; i++) absorbEntity(run, fetch, entities[prepared.representationToEntity[i]!], receivedEntities[i]);
    return;
  }
  // Each answer once (its rewrites applied once), into every entity it answers; an entity met twice is merged once.
  const absorbed = new Array<boolean>(receivedEntities.length);
  const merged = new Set<object>();
  for (let i = 0; i < slots.length; i++) {
    const existing = entities[prepared.representationToEntity[i]!];
    if (merged.has(existing)) continue;
    merged.add(existing);
    const slot = slots[i]!;
    const receivedEntity = receivedEntities[slot];
    if (absorbed[slot]) mergeInto(existing, receivedEntity);
    else absorbEntity(run, fetch, existing, receivedEntity);
    absorbed[slot] = true;
  }
}

/** One entity's answer into it, as `executeFetch` does. */
function absorbEntity(run: PlanRun, fetch: FetchNode, existing: any, receivedEntity: any): void {
  if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existing.__typename;
  applyRewrites(run.supergraph, fetch.outputRewrites, receivedEntity);
  mergeInto(existing, receivedEntity);
}
