import type { GraphQLFormattedError } from 'graphql';

/** graphql-js's words when `maxTokens` / `maxComments` stop the parser (its own typo included). */
const PARSER_LIMIT = /^Syntax Error: Document contains more (?:that|than) (\d+) (tokens|comments)\. Parsing aborted\.$/;

/**
 * The parser refuses a document over `parseOptions.maxTokens` while reading it (so a 2 MB body of
 * aliases is never built into a tree), but Apollo Server reports that as any syntax error,
 * GRAPHQL_PARSE_FAILED. This gives it the limit's own code and a message saying what the limit is.
 */
export function tooManyTokens(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED') return formatted;
  const match = PARSER_LIMIT.exec(formatted.message);
  if (!match) return formatted;
  return {
    message: `the document has more than ${match[1]} ${match[2]}; the limit is ${match[1]}`,
    extensions: { code: 'TOO_MANY_TOKENS', limit: Number(match[1]) },
  };
}
