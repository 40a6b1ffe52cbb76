import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';

/**
 * An entity fetch sends each distinct representation once. Apollo's executor sends one per entity
 * in the result tree, so a nested operation asks a subgraph for the same product or user again and
 * again (the standard benchmark's deepest fetch: 139 representations of 4 products). Ours sends
 * the distinct ones and merges each answer into every entity that asked for it, as Apollo Router
 * does. Two entities share a representation when their `__typename` and their representation are
 * the same (the typename too: @interfaceObject rewrites two concrete types to one interface).
 *
 * `slots[i]`: for the i-th representation Apollo would send, the index of the one sent (null
 * when all were distinct: then nothing differs from Apollo's request). What is merged into the
 * entities is then shared between them: they sit at the same path of the plan, so every later
 * fetch treats them alike, and shaping the response reads the tree without changing it.
 */
export type Slots = number[] | null;

/** Where the values of a representation with an object or a list in it are keyed (never equal to a value). */
const BY_JSON = Symbol('json');

/**
 * The distinct representations of one fetch, found by their values. Within a fetch, entities of
 * one `__typename` are represented with the same fields in the same order (the fetch's one
 * `requires` selection, its type conditions decided by that typename), so the values alone, in
 * order, tell two representations apart: a tree of Maps, one level per field, keyed by the scalar
 * itself (no key string is built per entity); an object or a list is keyed by its JSON.
 */
export class DistinctRepresentations {
  private readonly byTypename = new Map<unknown, Map<unknown, unknown>>();
  readonly list: Record<string, unknown>[] = [];

  /** The index of `representation` in `list` (added when no equal one is there); `typename`: the entity's. */
  indexOf(typename: unknown, representation: Record<string, unknown>): number {
    return this.indexOfFields(typename, representation, Object.keys(representation), identity);
  }

  /**
   * The index in `list` of the representation made of `fields` of `source`, in that order; when
   * there is none yet, `build(source)` makes it. -1 when `source` lacks one of them.
   */
  indexOfFields<S>(typename: unknown, source: S, fields: readonly string[], build: (source: S) => Record<string, unknown>): number {
    let node = this.byTypename.get(typename);
    if (!node) this.byTypename.set(typename, (node = new Map()));
    let key: unknown = undefined;
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i]!;
      if (!Object.prototype.hasOwnProperty.call(source, name)) return -1;
      const value = (source as Record<string, unknown>)[name];
      if (value === undefined) return -1;
      if (i > 0) node = descend(node, key);
      if (value !== null && typeof value === 'object') {
        node = descend(node, BY_JSON);
        key = JSON.stringify(value);
      } else {
        key = value;
      }
    }
    const found = node.get(key);
    if (typeof found === 'number') return found;
    const index = this.list.length;
    node.set(key, index);
    this.list.push(build(source));
    return index;
  }
}

const identity = <T>(value: T) => value;

function descend(node: Map<unknown, unknown>, key: unknown): Map<unknown, unknown> {
  let child = node.get(key) as Map<unknown, unknown> | undefined;
  if (!child) node.set(key, (child = new Map()));
  return child;
}

/**
 * A subgraph's errors for the representations sent, as it would have given them for the ones Apollo
 * sends: an error at `[_entities, j, ...]` once for every entity whose representation is the j-th
 * sent; any other error as it is.
 */
export function errorsPerEntity(errors: readonly GraphQLFormattedError[], slots: Slots): readonly GraphQLFormattedError[] {
  if (!slots) return errors;
  let entitiesOf: number[][] | undefined;
  const expanded: GraphQLFormattedError[] = [];
  for (const error of errors) {
    const path = error.path;
    const sent = path?.[0] === '_entities' ? path[1] : undefined;
    if (typeof sent !== 'number') {
      expanded.push(error);
      continue;
    }
    if (!entitiesOf) {
      entitiesOf = [];
      for (let i = 0; i < slots.length; i++) (entitiesOf[slots[i]!] ??= []).push(i);
    }
    const indexes = entitiesOf[sent];
    if (!indexes) expanded.push(error);
    else for (const index of indexes) expanded.push({ ...error, path: ['_entities', index, ...path!.slice(2)] });
  }
  return expanded;
}

/**
 * The inverse of `errorsPerEntity`, for the differential executor: the answer Apollo's executor got
 * for its representations (one per entity) as the subgraph answers the distinct ones: each sent
 * representation's entity and errors from its first entity.
 */
export function answerAsSent(answer: GatewayGraphQLResponse, slots: Slots): GatewayGraphQLResponse {
  if (!slots) return answer;
  const first: number[] = [];
  for (let i = 0; i < slots.length; i++) if (first[slots[i]!] === undefined) first[slots[i]!] = i;
  const isFirst = (index: number) => first[slots[index]!] === index;
  const entities = (answer.data as { _entities?: unknown } | null | undefined)?._entities;
  const data = Array.isArray(entities) && entities.length === slots.length ? { ...answer.data, _entities: first.map((index) => entities[index]) } : answer.data;
  const errors = answer.errors?.flatMap((error) => {
    const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
    if (typeof index !== 'number') return [error];
    return isFirst(index) ? [{ ...error, path: ['_entities', slots[index]!, ...error.path!.slice(2)] }] : [];
  });
  return { ...answer, ...(data !== undefined ? { data } : {}), ...(errors ? { errors } : {}) };
}
