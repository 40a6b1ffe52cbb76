import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { badInput, maskUnexpectedError, notFound } from '../../lib/errors';

function recordingLogger() {
  return { error: jest.fn<void, [string, unknown?]>() };
}

describe('maskUnexpectedError', () => {
  it('passes an expected error through, without stacktrace or exception', () => {
    const logger = recordingLogger();
    const error = badInput('input.amount', 'must be greater than 0');
    const formatted: GraphQLFormattedError = {
      message: error.message,
      path: ['createPayment'],
      locations: [{ line: 1, column: 12 }],
      extensions: { ...error.extensions, stacktrace: ['GraphQLError: ...', '    at parseAmount (money.ts:14)'], exception: { x: 1 } },
    };
    const result = maskUnexpectedError(logger)(formatted, error);
    expect(result).toEqual({
      message: 'input.amount: must be greater than 0',
      path: ['createPayment'],
      locations: [{ line: 1, column: 12 }],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.amount' },
    });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it.each(['NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'])('passes %s through', (code) => {
    const logger = recordingLogger();
    const formatted: GraphQLFormattedError = { message: 'shown to the client', extensions: { code } };
    expect(maskUnexpectedError(logger)(formatted, new GraphQLError('shown to the client'))).toEqual(formatted);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('keeps the extra extensions of an expected error', () => {
    const error = notFound('Project', 'abc');
    const result = maskUnexpectedError(recordingLogger())({ message: error.message, extensions: { ...error.extensions } }, error);
    expect(result.extensions).toEqual({ code: 'NOT_FOUND', type: 'Project', id: 'abc' });
  });

  it('masks an unexpected error (a database message) and logs the original', () => {
    const logger = recordingLogger();
    const original = new Error('insert into "payments" ("id", "amount") values ($1, $2) violates check constraint "payments_amount_positive"');
    // What a resolver's throw looks like by the time formatError sees it.
    const wrapped = new GraphQLError(original.message, { path: ['createPayment', 'amount'], originalError: original });
    const formatted: GraphQLFormattedError = {
      message: original.message,
      path: ['createPayment', 'amount'],
      locations: [{ line: 2, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: (original.stack ?? '').split('\n') },
    };
    const result = maskUnexpectedError(logger)(formatted, wrapped);
    expect(result).toEqual({
      message: 'Internal server error',
      path: ['createPayment', 'amount'],
      locations: [{ line: 2, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toMatch(/payments|insert|constraint|stack/i);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith('unexpected error', original);
  });

  it('masks an error without any code, and one with a code it does not know', () => {
    for (const extensions of [undefined, {}, { code: 'ECONNREFUSED' }, { code: 42 }]) {
      const logger = recordingLogger();
      const original = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      const result = maskUnexpectedError(logger)({ message: original.message, ...(extensions ? { extensions } : {}) }, original);
      expect(result).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(result).not.toHaveProperty('path');
      expect(logger.error).toHaveBeenCalledWith('unexpected error', original);
    }
  });
});
