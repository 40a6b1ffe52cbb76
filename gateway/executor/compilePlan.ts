import type { ConditionNode, FetchNode, PlanNode, QueryPlan, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites';
import { mergeInto } from './mergeInto';

/**
 * A query plan compiled once into the steps it takes: each Flatten's full response path known
 * ahead (the path of its entities in the response, for errors and the data source), each entity
 * fetch with a function that builds one representation from an entity (the fetch's `requires`
 * turned into code instead of a selection walk per entity). `runPlan` runs the steps.
 */
export type Step =
  | { kind: 'sequence'; steps: Step[] }
  | { kind: 'parallel'; steps: Step[] }
  | { kind: 'flatten'; path: (string | number)[]; fullPath: (string | number)[]; step: Step }
  | { kind: 'fetch'; node: FetchNode; represent: Represent | null; keyFields: KeyFields | null; variableUsages: readonly string[] }
  | { kind: 'condition'; node: ConditionNode; ifStep: Step | null; elseStep: Step | null }
  | { kind: 'unsupported'; message: string };

/** An entity's representation (its `requires` picked out), or null when a required field is missing. */
export type Represent = (entity: any) => Record<string, unknown> | null;

/**
 * A `requires` that is one type condition over fields without selections of their own, `__typename`
 * among them (`... on Product { __typename upc }`: nearly every entity key): the representation
 * of an entity of that type is those fields of it, in that order. A fetch then finds an entity's
 * representation among those it has from the entity's values, and builds it only when new.
 */
export interface KeyFields {
  typeCondition: string;
  fields: string[];
}

function keyFieldsOf(selections: readonly QueryPlanSelectionNode[]): KeyFields | null {
  const only = selections.length === 1 ? selections[0]! : undefined;
  if (only?.kind !== 'InlineFragment' || !only.typeCondition) return null;
  const fields: string[] = [];
  for (const selection of only.selections) {
    if (selection.kind !== 'Field' || selection.selections) return null;
    fields.push(selection.alias ?? selection.name);
  }
  return fields.includes('__typename') ? { typeCondition: only.typeCondition, fields } : null;
}

export function compilePlan(plan: QueryPlan, supergraph: GraphQLSchema): Step | null {
  const node = plan.node;
  if (!node) return null;
  if (node.kind === 'Subscription') return { kind: 'unsupported', message: 'Execution of subscriptions not supported by gateway' };
  return compileNode(node, [], supergraph);
}

function compileNode(node: PlanNode, path: (string | number)[], supergraph: GraphQLSchema): Step {
  switch (node.kind) {
    case 'Sequence':
      return { kind: 'sequence', steps: node.nodes.map((child) => compileNode(child, path, supergraph)) };
    case 'Parallel':
      return { kind: 'parallel', steps: node.nodes.map((child) => compileNode(child, path, supergraph)) };
    case 'Flatten': {
      const fullPath = path.concat(node.path);
      return { kind: 'flatten', path: node.path, fullPath, step: compileNode(node.node, fullPath, supergraph) };
    }
    case 'Fetch':
      return {
        kind: 'fetch',
        node,
        represent: node.requires ? compileRepresentation(node.requires, supergraph) : null,
        // Input rewrites change a representation after it is built: then it is always built.
        keyFields: node.requires && !(node.inputRewrites && node.inputRewrites.length > 0) ? keyFieldsOf(node.requires) : null,
        variableUsages: node.variableUsages ?? [],
      };
    case 'Condition':
      return {
        kind: 'condition',
        node,
        ifStep: node.ifClause ? compileNode(node.ifClause, path, supergraph) : null,
        elseStep: node.elseClause ? compileNode(node.elseClause, path, supergraph) : null,
      };
    case 'Defer':
      return { kind: 'unsupported', message: '@defer support is not available in the gateway' };
  }
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** executeQueryPlan.js `executeSelectionSet`, compiled: the same result for every entity. */
function compileRepresentation(selections: readonly QueryPlanSelectionNode[], supergraph: GraphQLSchema): Represent {
  const parts = selections.map((selection) =>
    selection.kind === 'Field'
      ? { field: selection.alias ?? selection.name, sub: selection.selections ? compileRepresentation(selection.selections, supergraph) : null, typeCondition: undefined }
      : { field: undefined, sub: compileRepresentation(selection.selections, supergraph), typeCondition: selection.typeCondition },
  );
  return (source) => {
    if (source === null) return null;
    const result: Record<string, unknown> = {};
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.field !== undefined) {
        if (!hasOwn(source, part.field) || source[part.field] === undefined) return null;
        const value = source[part.field];
        const sub = part.sub;
        if (Array.isArray(value)) result[part.field] = sub ? value.map(sub) : value.slice();
        else result[part.field] = sub ? sub(value) : value;
      } else {
        if (!part.typeCondition || !source) continue;
        if (isObjectOfType(supergraph, source, part.typeCondition)) mergeInto(result, part.sub(source));
      }
    }
    return result;
  };
}
