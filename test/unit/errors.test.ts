import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { badInput, errorLogging, maskUnexpectedError, notFound } from '../../lib/errors';

function recordingLogger() {
  return { error: jest.fn<void, [string, unknown?]>() };
}

describe('maskUnexpectedError', () => {
  const mask = maskUnexpectedError();

  it('passes an expected error through, without stacktrace or exception', () => {
    const error = badInput('input.amount', 'must be greater than 0');
    const formatted: GraphQLFormattedError = {
      message: error.message,
      path: ['createPayment'],
      locations: [{ line: 1, column: 12 }],
      extensions: { ...error.extensions, stacktrace: ['GraphQLError: ...', '    at parseAmount (money.ts:14)'], exception: { x: 1 } },
    };
    expect(mask(formatted)).toEqual({
      message: 'input.amount: must be greater than 0',
      path: ['createPayment'],
      locations: [{ line: 1, column: 12 }],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.amount' },
    });
  });

  it.each(['NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'])('passes %s through', (code) => {
    const formatted: GraphQLFormattedError = { message: 'shown to the client', extensions: { code } };
    expect(mask(formatted)).toEqual(formatted);
  });

  it('keeps the extra extensions of an expected error', () => {
    const error = notFound('Project', 'abc', 'id');
    expect(mask({ message: error.message, extensions: { ...error.extensions } }).extensions).toEqual({ code: 'NOT_FOUND', type: 'Project', id: 'abc', field: 'id' });
  });

  it('masks an unexpected error (a database message), keeping only its path and request id', () => {
    const formatted: GraphQLFormattedError = {
      message: 'insert into "payments" ("id", "amount") values ($1, $2) violates check constraint "payments_amount_positive"',
      path: ['createPayment', 'amount'],
      locations: [{ line: 2, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: insert into', '    at /app/x.ts:1'], requestId: 'r-1', detail: 'x' },
    };
    const result = mask(formatted);
    expect(result).toEqual({
      message: 'Internal server error',
      path: ['createPayment', 'amount'],
      locations: [{ line: 2, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' },
    });
    expect(JSON.stringify(result)).not.toMatch(/payments|insert|constraint|stack/i);
  });

  it('masks an error without any code, and one with a code it does not know', () => {
    for (const extensions of [undefined, {}, { code: 'ECONNREFUSED' }, { code: 42 }]) {
      const result = mask({ message: 'connect ECONNREFUSED 127.0.0.1:5432', ...(extensions ? { extensions } : {}) });
      expect(result).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
  });
});

describe('an unreachable or slow database is SERVICE_UNAVAILABLE, without its detail', () => {
  const mask = maskUnexpectedError();
  const formatted = (message: string): GraphQLFormattedError => ({ message, path: ['user', 'projects'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-2' } });
  /** As Apollo hands formatError the original: the resolver's error wrapped in a GraphQLError. */
  const wrapped = (original: Error) => new GraphQLError(original.message, { originalError: original });
  const withFields = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

  it.each([
    ['Prisma P1001 (cannot reach the server)', withFields("Can't reach database server at 10.0.0.5:5432", { code: 'P1001' })],
    ['Prisma P2024 (pool timeout)', withFields('Timed out fetching a new connection from the connection pool', { code: 'P2024' })],
    ['the pg adapter: DatabaseNotReachable', withFields('x', { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable', host: '10.0.0.5' } } } })],
    ['the pg adapter: statement timeout (57014)', withFields('canceling statement due to statement timeout', { meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57014' } } } })],
    ['the pg adapter: lock timeout (55P03)', withFields('canceling statement due to lock timeout', { meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '55P03' } } } })],
    ['pg: terminated by an administrator (57P01)', withFields('terminating connection due to administrator command', { code: '57P01', severity: 'FATAL' })],
    ['pg: pool wait', new Error('timeout exceeded when trying to connect')],
    ['a socket error behind a cause', new Error('query failed', { cause: withFields('connect ECONNREFUSED 10.0.0.5:5432', { code: 'ECONNREFUSED', syscall: 'connect' }) })],
    ['MongoDB: server selection', withFields('connection <monitor> to 10.0.0.6:27017 closed', { name: 'MongoServerSelectionError' })],
    ['MongoDB: network timeout', withFields('connection timed out', { name: 'MongoNetworkTimeoutError' })],
    ['MongoDB: MaxTimeMSExpired', withFields('operation exceeded time limit', { name: 'MongoServerError', code: 50 })],
    ['mongoose: buffering timed out', new Error('Operation `users.find()` buffering timed out after 3000ms')],
  ])('%s', (_name, original) => {
    const result = mask(formatted(original.message), wrapped(original));
    expect(result).toEqual({ message: expect.any(String), path: ['user', 'projects'], extensions: { code: 'SERVICE_UNAVAILABLE', requestId: 'r-2' } });
    expect(result.message).not.toMatch(/10\.0\.0|5432|27017|database|pool|mongo|statement|lock/i);
  });

  it.each([
    ['a unique violation', withFields('Unique constraint failed', { code: 'P2002' })],
    ['a missing table', withFields('relation "x" does not exist', { code: '42P01', severity: 'ERROR' })],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('%s stays an INTERNAL_SERVER_ERROR', (_name, original) => {
    expect(mask(formatted(original.message), wrapped(original)).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('errorLogging', () => {
  async function encounter(errors: GraphQLError[], requestId: string) {
    const logger = recordingLogger();
    const hooks = await errorLogging(logger).requestDidStart!({} as never);
    await (hooks as { didEncounterErrors(args: unknown): Promise<void> }).didEncounterErrors({ errors, contextValue: { requestId } });
    return logger;
  }

  it('logs the original of an unexpected error with the request id, and tags the error with it', async () => {
    const original = new Error('duplicate key value violates unique constraint');
    const wrapped = new GraphQLError(original.message, { originalError: original });
    const logger = await encounter([wrapped], 'req-7');
    expect(logger.error).toHaveBeenCalledWith('unexpected error (request req-7)', original);
    expect(wrapped.extensions.requestId).toBe('req-7');
  });

  it('leaves expected errors alone', async () => {
    const error = badInput('input.name', 'must not be empty');
    const logger = await encounter([error], 'req-8');
    expect(logger.error).not.toHaveBeenCalled();
    expect(error.extensions.requestId).toBeUndefined();
  });
});
