import type { GraphQLFormattedError } from 'graphql';

/** graphql-js ends a message with its guesses: `Did you mean "hello"?`, `Did you mean the enum value "LOUD"?`. */
const SUGGESTION = / ?Did you mean .+\?$/;

/**
 * A message without graphql-js's "Did you mean ...?", for production, where introspection is off
 * and the schema is not to be read off error messages either. Used in `formatError` rather than
 * Apollo Server's `hideSchemaDetailsFromClientErrors`, which cleans validation errors only:
 * variable coercion (an unknown enum value or input field) suggests names too.
 */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return SUGGESTION.test(formatted.message) ? { ...formatted, message: formatted.message.replace(SUGGESTION, '') } : formatted;
}
