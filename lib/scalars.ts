import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
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
  // Whatever was written (a number, an object...) is kept as it is, for the service to refuse by name.
  parseLiteral: (ast, variables) => (ast.kind === Kind.STRING ? ast.value : valueFromASTUntyped(ast, variables)),
});

export const scalarResolvers = {
  DateTime: DateTimeResolver,
  JSON: JSONResolver,
  Decimal: DecimalScalar,
};
