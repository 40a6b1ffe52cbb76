import { GraphQLError } from 'graphql';

/** Runs `run` expecting a BAD_USER_INPUT GraphQLError that names `field` (in extensions and message); returns it. */
export function refusal(run: () => unknown, field: string): GraphQLError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GraphQLError);
  const error = caught as GraphQLError;
  expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  return error;
}
