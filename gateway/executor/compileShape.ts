import {
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
  Variable,
  type CompositeType,
  type Directive,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import { Kind, type DocumentNode, type VariableDefinitionNode } from 'graphql';

/**
 * The response shape of one operation, compiled once from the same federation `Operation` that
 * @apollo/gateway's `computeResponse` walks on every request (resultShaping.js): the selections
 * in the same order with what that walk looks up each time precomputed (response names, the
 * field types unwrapped, @skip/@include, leaf checks, which type conditions apply to which
 * `__typename`). `shapeResponse` runs it.
 */

/** @skip / @include on a selection: a constant, or the name of the Boolean variable it reads. */
export type IfArgument = boolean | string;

export interface Conditions {
  skip?: IfArgument;
  include?: IfArgument;
}

/** A field's type, wrappers first; `display` is how Apollo's error messages print it. */
export type ShapeType =
  | { kind: 'nonNull'; ofType: ShapeType; display: string }
  | { kind: 'list'; ofType: ShapeType; display: string }
  | { kind: 'composite'; type: CompositeType; display: string }
  | { kind: 'leaf'; valid: (value: unknown) => boolean; display: string };

export type ShapeSelection =
  | { kind: 'value'; responseName: string; conditions: Conditions | null; type: ShapeType; selections: ShapeSelection[] | null }
  | { kind: 'typename'; responseName: string; conditions: Conditions | null }
  /** `__schema` / `__type`: answered by graphql-js over the API schema, as Apollo does. */
  | { kind: 'introspection'; responseName: string; conditions: Conditions | null; document: DocumentNode }
  | {
      kind: 'fragment';
      conditions: Conditions | null;
      typeCondition: CompositeType | undefined;
      selections: ShapeSelection[];
      /** Whether the condition applies, by `__typename` (or by parent type when there is none). */
      applies: Map<string, boolean>;
    };

export interface CompiledShape {
  schema: Schema;
  rootType: CompositeType;
  selections: ShapeSelection[];
  /** Defaults of the operation's variables (`computeResponse` reads @skip/@include with them). */
  defaults: Record<string, unknown>;
  /** A response name that a plain object cannot hold as its own key: shaping then falls back to Apollo's. */
  unsafeKeys: boolean;
}

export function compileShape(operation: Operation, variableDefinitions: readonly VariableDefinitionNode[] | undefined): CompiledShape {
  const schema = operation.schema();
  const state = { unsafeKeys: false };
  const selections = compileSelectionSet(schema, operation.selectionSet, variableDefinitions, state);
  return {
    schema,
    rootType: schema.schemaDefinition.rootType(operation.rootKind)!,
    selections,
    defaults: { ...operation.collectDefaultedVariableValues() },
    unsafeKeys: state.unsafeKeys,
  };
}

function compileSelectionSet(
  schema: Schema,
  selectionSet: SelectionSet,
  variableDefinitions: readonly VariableDefinitionNode[] | undefined,
  state: { unsafeKeys: boolean },
): ShapeSelection[] {
  return selectionSet.selections().map((selection): ShapeSelection => {
    const conditions = conditionsOf(schema, selection.element.appliedDirectives);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const responseName = field.responseName();
      if (responseName === '__proto__') state.unsafeKeys = true;
      if (field.definition.isSchemaIntrospectionField()) {
        return { kind: 'introspection', responseName, conditions, document: introspectionDocument(selection.expandFragments().toSelectionNode(), variableDefinitions) };
      }
      if (field.name === typenameFieldName) return { kind: 'typename', responseName, conditions };
      const subSelections = selection.selectionSet ? compileSelectionSet(schema, selection.selectionSet, variableDefinitions, state) : null;
      return { kind: 'value', responseName, conditions, type: shapeType(schema, field.definition.type!), selections: subSelections };
    }
    return {
      kind: 'fragment',
      conditions,
      typeCondition: selection.element.typeCondition,
      selections: compileSelectionSet(schema, selection.selectionSet, variableDefinitions, state),
      applies: new Map(),
    };
  });
}

function conditionsOf(schema: Schema, directives: readonly Directive<any>[]): Conditions | null {
  let conditions: Conditions | null = null;
  for (const directive of directives) {
    const which = directive.name === schema.skipDirective().name ? 'skip' : directive.name === schema.includeDirective().name ? 'include' : null;
    // Only the first of each counts (as `appliedDirectivesOf(...)[0]` in Apollo's shaping).
    if (!which || conditions?.[which] !== undefined) continue;
    const value = (directive.arguments() as { if: unknown }).if;
    conditions = { ...(conditions ?? {}), [which]: value instanceof Variable ? value.name : Boolean(value) };
  }
  return conditions;
}

function shapeType(schema: Schema, type: Type): ShapeType {
  const display = String(type);
  if (isNonNullType(type)) return { kind: 'nonNull', ofType: shapeType(schema, type.ofType), display };
  if (isListType(type)) return { kind: 'list', ofType: shapeType(schema, type.ofType), display };
  if (isCompositeType(type)) return { kind: 'composite', type, display };
  return { kind: 'leaf', valid: leafCheck(schema, type as NamedType), display };
}

/** What `isValidLeafValue` says, decided once per type where it can be. */
function leafCheck(schema: Schema, type: NamedType): (value: unknown) => boolean {
  if (isCustomScalarType(type)) return () => true;
  if (isEnumType(type)) {
    const values = new Set(type.values.map((value) => value.name));
    return (value) => (typeof value === 'string' ? values.has(value) : isValidLeafValue(schema, value, type));
  }
  if (type === schema.stringType()) return (value) => typeof value === 'string' || isValidLeafValue(schema, value, type);
  return (value) => isValidLeafValue(schema, value, type as never);
}

/** Whether a fragment's type condition applies (resultShaping.js `typeConditionApplies`), remembered. */
export function fragmentApplies(
  schema: Schema,
  fragment: Extract<ShapeSelection, { kind: 'fragment' }>,
  typename: string | undefined,
  parentType: CompositeType,
): boolean {
  const condition = fragment.typeCondition;
  if (!condition) return true;
  const key = typename ? typename : `\0${parentType.name}`;
  let applies = fragment.applies.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = schema.type(typename);
      applies = !!type && isSubtype(condition, type);
    } else {
      applies = isSubtype(condition, parentType);
    }
    fragment.applies.set(key, applies);
  }
  return applies;
}

/** As executeQueryPlan.js `makeIntrospectionQueryDocument`: the one field with the variables it uses. */
function introspectionDocument(
  selection: ReturnType<ReturnType<SelectionSet['selections']>[number]['toSelectionNode']>,
  variableDefinitions: readonly VariableDefinitionNode[] | undefined,
): DocumentNode {
  const used = new Set<string>();
  const collect = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if ((node as { kind?: unknown }).kind === Kind.VARIABLE) used.add((node as { name: { value: string } }).name.value);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') collect(value);
    }
  };
  collect(selection);
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: 'query' as never,
        variableDefinitions: variableDefinitions?.filter((definition) => used.has(definition.variable.name.value)),
        selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] },
      },
    ],
  };
}
