import { getNullableType, isInputObjectType, isListType, typeFromAST, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { refuse } from './refuse';

interface Pending {
  value: unknown;
  depth: number;
  /** Where the value sits, as the argument and input fields lead to it (`input.document`). */
  path: string;
  /** Its type in the schema while the path follows input types; null inside a scalar (JSON). */
  type: GraphQLInputType | null;
}

/**
 * Refuses (400, BAD_USER_INPUT) a variable whose value nests objects or lists more than
 * `maxDepth` levels deep, before anything else looks at it: graphql-js coerces and the gateway
 * serialises variables recursively, and a value nested 100,000 deep overflows the stack there.
 * The walk keeps its own stack and stops at the first level too deep, so it costs no more than
 * `maxDepth` levels whatever was sent. The error names the variable and the input field whose
 * value is too deep (inside a JSON scalar: the field that holds it).
 */
export function checkVariableDepth(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined, variables: Record<string, unknown> | undefined, maxDepth: number): void {
  if (!variables) return;
  const declared = new Map(
    (operation?.variableDefinitions ?? []).map((definition) => [definition.variable.name.value, (typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined) ?? null]),
  );
  const pending: Pending[] = Object.entries(variables).map(([name, value]) => ({ value, depth: 1, path: name, type: declared.get(name) ?? null }));
  while (pending.length > 0) {
    const { value, depth, path, type } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) {
      throw refuse('BAD_USER_INPUT', `${path}: nested more than ${maxDepth} levels deep`, { extra: { field: path } });
    }
    const nullable = type ? getNullableType(type) : null;
    if (Array.isArray(value)) {
      const itemType = nullable && isListType(nullable) ? (nullable.ofType as GraphQLInputType) : null;
      for (const item of value) pending.push({ value: item, depth: depth + 1, path, type: itemType });
      continue;
    }
    const fields = nullable && isInputObjectType(nullable) ? nullable.getFields() : null;
    for (const [key, child] of Object.entries(value)) {
      const field = fields?.[key];
      pending.push({ value: child, depth: depth + 1, path: fields ? `${path}.${key}` : path, type: field ? field.type : null });
    }
  }
}
