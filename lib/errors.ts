import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/**
 * Expected failures carry one of these codes; anything else is a bug and is masked by
 * `maskUnexpectedError` before it reaches a client.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  /** A service this one depends on for a check (e.g. "does this user exist?") did not answer. */
  | 'SERVICE_UNAVAILABLE';

const EXPECTED_CODES = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
  // Produced by graphql-js / Apollo Server themselves for malformed operations; safe to show.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

/** Bad input in one named argument or input field, e.g. `badInput('input.amount', 'must be positive')`. */
export function badInput(field: string, problem: string): AppError {
  return new AppError('BAD_USER_INPUT', `${field}: ${problem}`, { field });
}

/** An entity that does not exist; `field` names the argument that pointed at it, if one did. */
export function notFound(type: string, id: string, field?: string): AppError {
  const message = `${type} ${JSON.stringify(id)} does not exist`;
  return field
    ? new AppError('NOT_FOUND', `${field}: ${message}`, { type, id, field })
    : new AppError('NOT_FOUND', message, { type, id });
}

/** The request clashes with the current state; `field` names the argument at fault, if one is. */
export function conflict(problem: string, field?: string): AppError {
  return field ? new AppError('CONFLICT', `${field}: ${problem}`, { field }) : new AppError('CONFLICT', problem);
}

export function serviceUnavailable(service: string): AppError {
  return new AppError('SERVICE_UNAVAILABLE', `the ${service} service is unavailable; try again shortly`, { service });
}

export function isExpectedCode(code: unknown): boolean {
  return typeof code === 'string' && EXPECTED_CODES.has(code);
}

export interface ErrorLogger {
  error(message: string, detail?: unknown): void;
}

/**
 * `formatError` for every server: expected errors pass through (without stack traces), anything
 * else becomes a bare INTERNAL_SERVER_ERROR and the original is logged, so no database message,
 * file path or stack ever reaches a client.
 */
export function maskUnexpectedError(logger: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isExpectedCode(code)) {
      const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error('unexpected error', unwrapResolverError(error));
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
