import type { FetchNode } from '@apollo/query-planner';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  Kind,
  OperationTypeNode,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * Several entity fetches to one subgraph as ONE subgraph operation: each fetch's `_entities`
 * field under an alias of its own (`_b0: _entities(representations: $representations0) {...}`),
 * the other variables (the client's, the same in every part) defined once, fragments defined once
 * (one of the same name but another body is renamed in its part). Fetches whose `_entities`
 * selections are the same share one alias: their representations go in one list, and the answer
 * is split back by position. Compiled once per set of fetches; per request only the lists change.
 */
export interface MergedOperation {
  query: string;
  operationName: string | undefined;
  document: DocumentNode;
  /** Per part (in the order given): its alias, and where its representations go. */
  parts: { alias: string; variable: string }[];
  /** The aliases in the operation, in order, each with the variable of its representations. */
  aliases: { alias: string; variable: string }[];
}

/** An entity fetch as the planner writes it: one query, one `_entities(representations: $representations)` root field. */
export interface EntityOperation {
  operation: OperationDefinitionNode;
  entities: FieldNode;
  fragments: FragmentDefinitionNode[];
  /** The other variables (the client's), by name, printed: two parts that disagree cannot merge. */
  variables: Map<string, string>;
}

/** The fetch's operation read for merging, or null when it is not a plain entity fetch (then it goes alone). */
export function entityOperation(fetch: FetchNode): EntityOperation | null {
  if (fetch.operationKind !== OperationTypeNode.QUERY || !fetch.requires || (fetch.contextRewrites && fetch.contextRewrites.length > 0)) return null;
  let document: DocumentNode;
  try {
    document = fetch.operationDocumentNode ?? parse(fetch.operation);
  } catch {
    return null;
  }
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation !== OperationTypeNode.QUERY) return null;
  const operation = operations[0]!;
  if (operation.directives && operation.directives.length > 0) return null;
  const [entities, ...others] = operation.selectionSet.selections;
  if (!entities || others.length > 0 || entities.kind !== Kind.FIELD || entities.name.value !== '_entities' || entities.alias) return null;
  const argument = entities.arguments?.length === 1 ? entities.arguments[0]! : undefined;
  if (argument?.name.value !== 'representations' || argument.value.kind !== Kind.VARIABLE || argument.value.name.value !== 'representations') return null;
  if ((entities.directives && entities.directives.length > 0) || !entities.selectionSet) return null;
  const variables = new Map<string, string>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.variable.name.value !== 'representations') variables.set(definition.variable.name.value, print(definition));
  }
  const fragments = document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION);
  return { operation, entities, fragments, variables };
}

/** Whether `part` can go in one operation with `others` (the same definition for every variable both use). */
export function canMerge(part: EntityOperation, others: readonly EntityOperation[]): boolean {
  for (const other of others) {
    for (const [name, definition] of part.variables) {
      const theirs = other.variables.get(name);
      if (theirs !== undefined && theirs !== definition) return false;
    }
  }
  return true;
}

/** The fragments a selection set uses, through fragments, by name. */
function usedFragments(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, used = new Set<string>()): Set<string> {
  visit(selectionSet, {
    FragmentSpread(node) {
      const name = node.name.value;
      if (used.has(name)) return;
      used.add(name);
      const fragment = fragments.get(name);
      if (fragment) usedFragments(fragment.selectionSet, fragments, used);
    },
  });
  return used;
}

/** A fragment's body as compared (its name aside). */
const textOf = (fragment: FragmentDefinitionNode) => `${fragment.typeCondition.name.value} ${print(fragment.selectionSet)}`;

export function mergeEntityOperations(parts: readonly EntityOperation[], operationName: string | undefined): MergedOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const fragmentText = new Map<string, string>();
  const variableDefinitions = new Map<string, VariableDefinitionNode>();
  const aliasBySelection = new Map<string, { alias: string; variable: string }>();
  const aliases: { alias: string; variable: string }[] = [];
  const fields: FieldNode[] = [];
  const merged: MergedOperation['parts'] = [];
  const clientVariables = new Set<string>();
  for (const part of parts) for (const name of part.variables.keys()) clientVariables.add(name);
  const fresh = (base: string, taken: (name: string) => boolean) => {
    let name = base;
    for (let n = 1; taken(name); n++) name = `${base}_${n}`;
    return name;
  };
  parts.forEach((part, index) => {
    for (const definition of part.operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      if (name !== 'representations' && !variableDefinitions.has(name)) variableDefinitions.set(name, definition);
    }
    // This part's fragments keep their names unless one of them has another body under that name
    // in the merged operation; then all of the part's get fresh ones (a fragment may use another).
    const own = new Map(part.fragments.map((fragment) => [fragment.name.value, fragment]));
    const used = [...usedFragments(part.entities.selectionSet!, own)].filter((name) => own.has(name));
    const conflict = used.some((name) => fragmentText.has(name) && fragmentText.get(name) !== textOf(own.get(name)!));
    const renamed = new Map<string, string>();
    if (conflict) {
      for (const name of used) renamed.set(name, fresh(`${name}_${index}`, (candidate) => fragmentText.has(candidate) || own.has(candidate) || [...renamed.values()].includes(candidate)));
    }
    const rename = <T extends SelectionSetNode | FragmentDefinitionNode>(node: T): T =>
      renamed.size === 0
        ? node
        : visit(node, {
            FragmentSpread: (spread) => (renamed.has(spread.name.value) ? { ...spread, name: { ...spread.name, value: renamed.get(spread.name.value)! } } : undefined),
            FragmentDefinition: (definition) =>
              renamed.has(definition.name.value) ? { ...definition, name: { ...definition.name, value: renamed.get(definition.name.value)! } } : undefined,
          });
    const selectionSet = rename(part.entities.selectionSet!);
    for (const name of used) {
      const finalName = renamed.get(name) ?? name;
      if (fragments.has(finalName)) continue;
      const fragment = rename(own.get(name)!);
      fragments.set(finalName, fragment);
      fragmentText.set(finalName, textOf(fragment));
    }
    const key = print(selectionSet) + [...usedFragments(selectionSet, fragments)].sort().map((name) => print(fragments.get(name)!)).join('');
    let target = aliasBySelection.get(key);
    if (!target) {
      const variable = fresh(`representations${aliases.length}`, (name) => clientVariables.has(name));
      target = { alias: `_b${aliases.length}`, variable };
      aliasBySelection.set(key, target);
      aliases.push(target);
      fields.push({
        ...part.entities,
        alias: { kind: Kind.NAME, value: target.alias },
        arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'representations' }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } } }],
        selectionSet,
      });
    }
    merged.push(target);
  });
  const representationsType = parts[0]!.operation.variableDefinitions!.find((definition) => definition.variable.name.value === 'representations')!.type;
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    name: operationName ? { kind: Kind.NAME, value: operationName } : undefined,
    variableDefinitions: [
      ...aliases.map(({ variable }): VariableDefinitionNode => ({ kind: Kind.VARIABLE_DEFINITION, variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } }, type: representationsType })),
      ...variableDefinitions.values(),
    ],
    selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
  };
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments.values()] };
  return { query: print(document), operationName, document, parts: merged, aliases };
}

/** A part's share of one merged call: where its representations sit in its alias's list. */
export interface PartSlot {
  alias: string;
  offset: number;
  count: number;
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/**
 * The merged call's answer as each part would have had it alone: its slice of its alias's list
 * as `_entities`, the errors whose path is in that slice with the path moved back
 * (`[_b0, 7, name]` → `[_entities, 7 - offset, name]`), an error on a whole alias to each of its
 * parts, and an error outside every alias (the request refused, a subgraph down) to every part.
 */
export function splitMergedResponse(response: GatewayGraphQLResponse, slots: readonly PartSlot[]): GatewayGraphQLResponse[] {
  const data = response.data as Record<string, unknown> | null | undefined;
  const totals = new Map<string, number>();
  for (const slot of slots) totals.set(slot.alias, (totals.get(slot.alias) ?? 0) + slot.count);
  return slots.map((slot) => {
    const part: GatewayGraphQLResponse = {};
    if (data && hasOwn(data, slot.alias)) {
      const list = data[slot.alias];
      // A list of another length than asked stays whole, so that the part reports it as it would alone.
      const exact = Array.isArray(list) && list.length === totals.get(slot.alias);
      part.data = { _entities: exact && (slot.offset > 0 || slot.count !== list.length) ? list.slice(slot.offset, slot.offset + slot.count) : list };
    } else if (data === null) {
      part.data = null;
    }
    if (response.errors) {
      const errors: GraphQLFormattedError[] = [];
      for (const error of response.errors) {
        const path = error.path;
        const aliasOf = path && typeof path[0] === 'string' && totals.has(path[0]) ? path[0] : undefined;
        if (aliasOf === undefined) {
          errors.push(error);
        } else if (aliasOf === slot.alias) {
          const index = path![1];
          if (typeof index !== 'number') errors.push({ ...error, path: ['_entities', ...path!.slice(1)] });
          else if (index >= slot.offset && index < slot.offset + slot.count) errors.push({ ...error, path: ['_entities', index - slot.offset, ...path!.slice(2)] });
        }
      }
      if (errors.length > 0) part.errors = errors;
    }
    if (response.extensions) part.extensions = response.extensions;
    return part;
  });
}

/**
 * The inverse of `splitMergedResponse`: the answers each part got alone as the one answer a
 * subgraph gives the merged operation (for the differential executor, which replays the answers
 * Apollo's executor got to the fetches it made one by one). An error outside every part's
 * `_entities` (the request refused) appears once.
 */
export function joinPartResponses(answers: readonly GatewayGraphQLResponse[], slots: readonly PartSlot[]): GatewayGraphQLResponse {
  let data: Record<string, unknown[]> | null = {};
  const errors: GraphQLFormattedError[] = [];
  const requestErrors = new Set<string>();
  let extensions: GatewayGraphQLResponse['extensions'];
  answers.forEach((answer, index) => {
    const slot = slots[index]!;
    const entities = (answer.data as { _entities?: unknown } | null | undefined)?._entities;
    if (data && Array.isArray(entities)) (data[slot.alias] ??= []).push(...entities);
    else data = null;
    for (const error of answer.errors ?? []) {
      const path = error.path;
      if (path?.[0] === '_entities') {
        const at = typeof path[1] === 'number' ? [slot.offset + path[1], ...path.slice(2)] : path.slice(1);
        errors.push({ ...error, path: [slot.alias, ...at] });
      } else {
        const key = JSON.stringify(error);
        if (!requestErrors.has(key)) errors.push(error);
        requestErrors.add(key);
      }
    }
    extensions ??= answer.extensions;
  });
  return { ...(data ? { data } : { data: null }), ...(errors.length > 0 ? { errors } : {}), ...(extensions ? { extensions } : {}) };
}
