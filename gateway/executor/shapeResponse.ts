import { ERRORS, isObjectType, type CompositeType, type Schema } from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';
import { fragmentApplies, type CompiledShape, type Conditions, type IfArgument, type ShapeSelection, type ShapeType } from './compileShape';

/**
 * The client's response from the data the fetches merged, by the compiled shape: what
 * @apollo/gateway's `computeResponse` (resultShaping.js) does, step for step (selection order,
 * null bubbling at non-null fields, `__typename`, @skip/@include, leaf checks, the same error
 * messages and paths), without its per-request lookups and without an object per value.
 */
export interface Shaped {
  data: Record<string, unknown> | null;
  errors: GraphQLError[];
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

interface Walk {
  schema: Schema;
  variables: Record<string, unknown> | undefined;
  defaults: Record<string, unknown>;
  errors: GraphQLError[];
  introspect: (selection: Extract<ShapeSelection, { kind: 'introspection' }>) => unknown;
  /** What the last `update` reported besides its value (Apollo returns these in an object). */
  invalid: boolean;
  hasErrors: boolean;
}

export function shapeResponse(
  shape: CompiledShape,
  input: Record<string, unknown>,
  variables: Record<string, unknown> | undefined,
  introspect: Walk['introspect'],
): Shaped {
  const walk: Walk = { schema: shape.schema, variables, defaults: shape.defaults, errors: [], introspect, invalid: false, hasErrors: false };
  const data: Record<string, unknown> = {};
  const bubbled = applySelections(walk, input, shape.selections, data, [], shape.rootType);
  return { data: bubbled ? null : data, errors: walk.errors };
}

function ifValue(walk: Walk, argument: IfArgument, directive: string): boolean {
  if (typeof argument === 'boolean') return argument;
  const value = walk.variables && hasOwn(walk.variables, argument) ? walk.variables[argument] : walk.defaults[argument];
  if (value === undefined || typeof value !== 'boolean') throw new Error(`Unexpected value ${value} for variable $${argument} of @${directive}(if: $${argument})`);
  return value;
}

function skipped(walk: Walk, conditions: Conditions | null): boolean {
  if (!conditions) return false;
  if (conditions.skip !== undefined && ifValue(walk, conditions.skip, 'skip')) return true;
  return conditions.include !== undefined && !ifValue(walk, conditions.include, 'include');
}

/** True when a null bubbles up out of this selection set (resultShaping.js `applySelectionSet`). */
function applySelections(
  walk: Walk,
  input: any,
  selections: ShapeSelection[],
  output: Record<string, unknown>,
  path: (string | number)[],
  parentType: CompositeType,
): boolean {
  for (let i = 0; i < selections.length; i++) {
    const selection = selections[i]!;
    if (selection.conditions && skipped(walk, selection.conditions)) continue;
    switch (selection.kind) {
      case 'introspection':
        if (output[selection.responseName] === undefined) output[selection.responseName] = walk.introspect(selection);
        break;
      case 'typename': {
        if (output[selection.responseName] !== undefined) break;
        let value: unknown = hasOwn(input, selection.responseName) ? input[selection.responseName] : undefined;
        if (value === undefined || value === null) {
          value = selection.responseName !== '__typename' ? (input.__typename ?? null) : null;
        }
        const type = typeof value === 'string' ? (walk.schema.type(value) ?? parentType) : parentType;
        if (!isObjectType(type)) return true;
        output[selection.responseName] = type.name;
        break;
      }
      case 'value': {
        const name = selection.responseName;
        let value: unknown = hasOwn(input, name) ? input[name] : undefined;
        if (value === undefined) value = null;
        path.push(name);
        const updated = update(walk, output[name], selection.type, value, selection.selections, path, parentType);
        output[name] = updated;
        path.pop();
        if (walk.invalid) return true;
        break;
      }
      case 'fragment': {
        const typename = input.__typename;
        if (typename && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${typename}`);
        if (fragmentApplies(walk.schema, selection, typename, parentType)) {
          if (applySelections(walk, input, selection.selections, output, path, selection.typeCondition ?? parentType)) return true;
        }
        break;
      }
    }
  }
  return false;
}

function describeLast(path: (string | number)[], type: string, parentType: CompositeType): string {
  const element = path[path.length - 1];
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${type} at index ${element}`;
}

function report(walk: Walk, invalid: boolean, hasErrors: boolean): void {
  walk.invalid = invalid;
  walk.hasErrors = hasErrors;
}

/** resultShaping.js `updateOutputValue`: the new value; `walk.invalid` / `walk.hasErrors` say the rest. */
function update(
  walk: Walk,
  outputValue: any,
  type: ShapeType,
  inputValue: any,
  selections: ShapeSelection[] | null,
  path: (string | number)[],
  parentType: CompositeType,
): unknown {
  if (outputValue === null || (outputValue !== undefined && !selections)) {
    report(walk, false, false);
    return outputValue;
  }
  switch (type.kind) {
    case 'nonNull': {
      const updated = update(walk, outputValue, type.ofType, inputValue, selections, path, parentType);
      if (updated === null) {
        if (!walk.hasErrors) {
          walk.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describeLast(path, type.ofType.display, parentType)}.`, { path: Array.from(path) }));
        }
        report(walk, true, true);
        return null;
      }
      report(walk, false, false);
      return updated;
    }
    case 'list': {
      if (inputValue === null) return (report(walk, false, false), null);
      if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${inputValue} returned by subgraph for list type ${type.display}`);
      if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value ${outputValue} returned by subgraph for list type ${type.display}`);
      const length = inputValue.length;
      if (outputValue !== undefined && outputValue.length !== length) throw new Error(`[${inputValue}].length (${length}) !== [${outputValue}].length (${outputValue.length})`);
      let nullify = false;
      let hasErrors = false;
      const updated = new Array(length);
      for (let index = 0; index < length; index++) {
        path.push(index);
        updated[index] = update(walk, outputValue === undefined ? undefined : outputValue[index], type.ofType, inputValue[index], selections, path, parentType);
        path.pop();
        nullify ||= walk.invalid;
        hasErrors ||= walk.hasErrors;
      }
      report(walk, false, hasErrors);
      return nullify ? null : updated;
    }
    case 'composite': {
      if (inputValue === null) return (report(walk, false, false), null);
      if (!selections) throw new Error(`Invalid empty selection set for composite type ${type.display}`);
      if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.display}`);
      if (outputValue !== undefined && typeof outputValue !== 'object') throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type.display}`);
      const typename = inputValue.__typename;
      if (typename !== undefined && typeof typename !== 'string') throw new Error(`Invalid non-string value ${typename} for __typename at ${path}`);
      let objectType: CompositeType = type.type;
      if (typename) {
        const named = walk.schema.type(typename);
        if (!named || !(named.kind === 'ObjectType' || named.kind === 'InterfaceType' || named.kind === 'UnionType')) {
          walk.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describeLast(path, type.display, parentType)}.`, { path: Array.from(path) }));
          report(walk, false, true);
          return null;
        }
        objectType = named;
      }
      const object = outputValue === undefined ? {} : outputValue;
      const bubbled = applySelections(walk, inputValue, selections, object, path, objectType);
      report(walk, false, bubbled);
      return bubbled ? null : object;
    }
    case 'leaf': {
      if (inputValue === null) return (report(walk, false, false), null);
      if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${type.display} for type ${type.display}`);
      const valid = type.valid(inputValue);
      if (!valid) walk.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describeLast(path, type.display, parentType)}.`, { path: Array.from(path) }));
      report(walk, false, !valid);
      return valid ? inputValue : null;
    }
  }
}
