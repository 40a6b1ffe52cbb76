import { GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/**
 * Money travels as a string with exactly two fraction digits ("12.50"), never as a float, so no
 * amount is ever rounded on the way. Inputs are checked by the payments service, which knows the
 * bounds; this scalar only insists on a string.
 */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'A decimal amount as a string with two fraction digits, e.g. "12.50".',
  serialize(value) {
    if (typeof value === 'string') return value;
    if (value && typeof (value as { toFixed?: unknown }).toFixed === 'function') {
      return (value as { toFixed(digits: number): string }).toFixed(2);
    }
    throw new TypeError('Decimal cannot represent this value');
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new TypeError('Decimal must be given as a string, e.g. "12.50"');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new TypeError('Decimal must be given as a string, e.g. "12.50"');
    return ast.value;
  },
});

export const scalarResolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  Decimal: DecimalScalar,
};
