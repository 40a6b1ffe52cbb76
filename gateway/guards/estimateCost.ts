import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CostDirectives, ListSize } from './costDirectives';

/** What a mutation's root field costs without a `@cost` of its own (as Apollo's router counts it). */
const MUTATION_WEIGHT = 10;

export interface CostOptions {
  directives: CostDirectives;
  /** The size of a list no argument or `@listSize` sizes. */
  defaultListSize: number;
  /**
   * The most items any list counts for: a page asked for beyond what the subgraphs serve is
   * refused by them (BAD_USER_INPUT naming `first`), which is the clearer answer to give.
   */
  maxListSize: number;
  /** The request's variables, as sent (a slicing argument may be a variable). */
  variables: Record<string, unknown>;
  /** Told of each variable the estimate read: whether the request sent it, and its value then. */
  readVariable?: (name: string, sent: boolean, value: unknown) => void;
}

/**
 * Estimates what an operation costs before it runs, the way Federation's demand control does:
 * a field of an object type costs 1 (a scalar 0), or its `@cost` weight (or its type's); a list
 * multiplies the cost of what is inside by its size, which is the value of its `@listSize`
 * slicing argument (`first`: given, a variable, or the argument's default), else its
 * `assumedSize`, else `defaultListSize`. On a connection, `sizedFields` hands that size to its
 * `edges`. A mutation's root field costs at least 10. `@skip`/`@include` are not looked at: the
 * estimate is an upper bound. Introspection fields cost nothing.
 *
 * Validation has passed (unknown fields, fragment cycles are refused), so every field is in the
 * schema; anything that is not anyway counts for nothing.
 */
export function estimateCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, options: CostOptions): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const variableDefaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  // A fragment's cost does not depend on where it is spread (the multiplier is applied outside),
  // except through sizes handed down by a connection: cached per fragment and sizes.
  const fragmentCosts = new Map<string, number>();

  const argumentNumber = (field: FieldNode, definition: GraphQLField<unknown, unknown>, name: string): number | undefined => {
    const node = field.arguments?.find((argument) => argument.name.value === name);
    // As GraphQL fills arguments in: the literal, else the variable's value or default, else the
    // argument's own default.
    let value: unknown;
    if (node?.value.kind === Kind.VARIABLE) {
      const variable = node.value.name.value;
      const sent = variable in options.variables;
      value = sent ? options.variables[variable] : variableDefaults.get(variable);
      options.readVariable?.(variable, sent, value);
    } else if (node) {
      value = valueFromASTUntyped(node.value);
    }
    if (value === undefined) value = definition.args.find((argument) => argument.name === name)?.defaultValue;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  };

  const slicedSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>, listSize: ListSize | undefined): number | undefined => {
    const sizes = (listSize?.slicingArguments ?? []).map((name) => argumentNumber(field, definition, name)).filter((size): size is number => size !== undefined);
    const size = sizes.length > 0 ? Math.max(...sizes) : listSize?.assumedSize;
    return size === undefined ? undefined : Math.min(size, options.maxListSize);
  };

  const selectionSetCost = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, sizes: Map<string, number> | null): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += selectionSetCost(selection.selectionSet, type, sizes);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
        if (!fragment || !type || !isCompositeType(type)) continue;
        const key = `${fragment.name.value}|${sizes ? JSON.stringify([...sizes]) : ''}`;
        let cost = fragmentCosts.get(key);
        if (cost === undefined) {
          cost = selectionSetCost(fragment.selectionSet, type, sizes);
          fragmentCosts.set(key, cost);
        }
        total += cost;
        continue;
      }
      // Introspection is answered by the gateway itself, from the schema in memory (and is off
      // in production); its depth is bounded by the depth limit.
      if (selection.name.value.startsWith('__')) continue;
      const definition = 'getFields' in parent ? parent.getFields()[selection.name.value] : undefined;
      if (!definition) continue;
      const named = getNamedType(definition.type);
      const listSize = options.directives.listSize(parent.name, definition.name);
      let weight = options.directives.fieldWeight(parent.name, definition.name) ?? options.directives.typeWeight(named.name) ?? (isCompositeType(named) ? 1 : 0);
      if (parent === schema.getMutationType()) weight = Math.max(weight, MUTATION_WEIGHT);
      const size = slicedSize(selection, definition, listSize);
      const isList = isListType(getNullableType(definition.type));
      const count = isList ? (sizes?.get(definition.name) ?? size ?? options.defaultListSize) : 1;
      // A connection's size goes to the fields it names (edges), not to the connection itself.
      const handedDown = listSize?.sizedFields?.length ? new Map(listSize.sizedFields.map((name) => [name, size ?? options.defaultListSize])) : null;
      const inner = selection.selectionSet && isCompositeType(named) ? selectionSetCost(selection.selectionSet, named, handedDown) : 0;
      total += count * (weight + inner);
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionSetCost(operation.selectionSet, root, null) : 0;
}
