import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { isUnavailableError } from './unavailable';

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
  | 'SERVICE_UNAVAILABLE'
  /** Too many attempts (failed logins); `extensions.retryAfterSeconds` says when to try again. */
  | 'RATE_LIMITED'
  /** The gateway's operation limits (see the README's Limits): refused before anything runs. */
  | 'OPERATION_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_ROOT_FIELDS'
  | 'TOO_MANY_TOKENS'
  | 'TOO_MANY_DIRECTIVES'
  | 'OPERATION_TOO_COSTLY'
  /** The gateway runs only registered operations (SAFELIST_FILE) and this is not one. */
  | 'PERSISTED_QUERY_NOT_IN_SAFELIST'
  /** The request itself is malformed (an operationName that names no operation...). */
  | 'BAD_REQUEST';

const EXPECTED_CODES = new Set<string>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'OPERATION_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_ROOT_FIELDS',
  'TOO_MANY_TOKENS',
  'TOO_MANY_DIRECTIVES',
  'OPERATION_TOO_COSTLY',
  'PERSISTED_QUERY_NOT_IN_SAFELIST',
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

/** What a client is told when a database this service needs is down or too slow: no detail of it. */
export const UNAVAILABLE_MESSAGE = 'this part of the answer is unavailable at the moment; try again shortly';

/**
 * `formatError` for every server: expected errors pass through (without stack traces); a database
 * that refuses connections or times out (lib/unavailable.ts) becomes SERVICE_UNAVAILABLE; anything
 * else becomes a bare INTERNAL_SERVER_ERROR carrying only the request id, so no database message,
 * file path or stack ever reaches a client. The original is logged by `errorLogging`.
 */
export function maskUnexpectedError() {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    if (isExpectedCode(extensions.code)) return { ...formatted, extensions };
    const where = {
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
    };
    if (error !== undefined && isUnavailableError(unwrapResolverError(error))) {
      return { message: UNAVAILABLE_MESSAGE, ...where, extensions: { code: 'SERVICE_UNAVAILABLE', ...(extensions.requestId ? { requestId: extensions.requestId } : {}) } };
    }
    return {
      message: 'Internal server error',
      ...where,
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(extensions.requestId ? { requestId: extensions.requestId } : {}) },
    };
  };
}

/**
 * Logs every unexpected error of a request with that request's id (the gateway makes one and
 * forwards it as `x-request-id`, so the gateway's and the subgraph's lines share it), and tags the
 * error with the id, which `maskUnexpectedError` keeps: a client can quote it, an operator find it.
 */
export function errorLogging<TContext extends { requestId: string }>(logger: ErrorLogger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isExpectedCode(error.extensions?.code)) continue;
            (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            logger.error(`unexpected error (request ${contextValue.requestId})`, unwrapResolverError(error));
          }
        },
      };
    },
  };
}
