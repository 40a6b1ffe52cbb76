import { GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/**
 * Money travels as a string with exactly two fraction digits ("12.50"), never as a float, so no
 * amount is ever rounded on the way. The scalar passes input through untouched: the payments
 * service checks it (see subgraphs/payments/money.ts) and can then name the offending field, which
 * an error thrown here could not (the gateway would only see the subgraph refuse the request).
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
  parseValue: (value) => value,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return ast.value;
    // A number literal is kept as a number, which the payments service refuses by name.
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return Number(ast.value);
    return undefined;
  },
});

export const scalarResolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  Decimal: DecimalScalar,
};
