import { HeaderMap } from '@apollo/server';
import { AppError, type ErrorCode } from '../../lib/errors';

/**
 * A request the gateway refuses before planning: an error with its code and the HTTP status Apollo
 * Server answers with (its `extensions.http` is read by Apollo Server and never reaches the client).
 */
export function refuse(code: ErrorCode, message: string, options: { status?: number; headers?: Record<string, string>; extra?: Record<string, unknown> } = {}): AppError {
  const headers = new HeaderMap(Object.entries(options.headers ?? {}));
  return new AppError(code, message, { ...options.extra, http: { status: options.status ?? 400, headers } });
}
