import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { as, createPayment, createProject, createUser } from '../support/fixtures';
import { startStack, type GraphQLResponse, type Stack } from '../support/stack';

/**
 * Bad input gets a clear error that names what was wrong; nothing is half-written; no response
 * ever carries a stack trace, a driver message or an internal address.
 */
let stack: Stack;
let ann: string;
let bob: string;
const responses: GraphQLResponse[] = [];

/** Asks as Ann (a plain customer), unless told otherwise. */
async function ask(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = as(ann)): Promise<GraphQLResponse> {
  const response = await stack.query(query, variables, headers);
  responses.push(response);
  return response;
}

function expectError(response: GraphQLResponse, code: string, field?: string) {
  expect(response.status).toBeLessThan(500);
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors!;
  expect(error!.extensions).toMatchObject({ code, ...(field ? { field } : {}) });
  if (field) expect(error!.message).toContain(field);
  return error!;
}

async function countRows(url: string, sql: string, params: unknown[]): Promise<number> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ count: string }>(sql, params);
    return Number(rows[0]!.count);
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  stack = await startStack();
  ann = await createUser(stack, 'Ann');
  bob = await createUser(stack, 'Bob');
});

afterAll(async () => {
  await stack?.stop();
});

afterAll(() => {
  // Whatever went wrong above, no response leaked internals.
  for (const response of responses) {
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/stacktrace|\bat \/|prisma|postgres|mongo|ECONNREFUSED|127\.0\.0\.1|SELECT |INSERT |duplicate key/i);
  }
});

describe('malformed ids', () => {
  test.each([
    ['user', 'query($id: ID!) { user(id: $id) { name } }'],
    ['project', 'query($id: ID!) { project(id: $id) { name } }'],
    ['team', 'query($id: ID!) { team(id: $id) { name } }'],
    ['payment', 'query($id: ID!) { payment(id: $id) { amount } }'],
  ])('%s(id: "42") is a BAD_USER_INPUT naming `id`', async (field, query) => {
    const response = await ask(query, { id: '42' });
    expectError(response, 'BAD_USER_INPUT', 'id');
    expect(response.body.data).toEqual({ [field]: null });
  });

  test('a malformed id inside an input names the input field', async () => {
    expectError(await ask(`mutation { createProject(input: { name: "P", type: GRAPHQL, teamId: "nope" }) { id } }`), 'BAD_USER_INPUT', 'input.teamId');
  });
});

describe('amounts', () => {
  test.each([
    ['-5.00', 'must be greater than 0'],
    ['0', 'must be greater than 0'],
    ['1.234', 'at most two decimal places'],
    ['1e3', 'decimal string'],
    ['12345678901.00', 'at most 9999999999.99'],
  ])('amount %s is refused naming input.amount', async (amount, reason) => {
    const error = expectError(
      await ask(`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, {
        input: { recipientId: bob, amount, currency: 'EUR' },
      }),
      'BAD_USER_INPUT',
      'input.amount',
    );
    expect(error.message).toContain(reason);
  });

  test.each([['a number', '12.5'], ['a boolean', 'true'], ['an object', '{ a: 1 }']])('an amount written as %s in the query is refused by name', async (_name, literal) => {
    const response = await ask(`mutation($r: ID!) { createPayment(input: { recipientId: $r, amount: ${literal}, currency: "EUR" }) { id } }`, { r: bob });
    expectError(response, 'BAD_USER_INPUT', 'input.amount');
  });

  test('an amount sent as a JSON number (a float) is refused', async () => {
    const response = await ask(`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, {
      input: { recipientId: bob, amount: 12.5, currency: 'EUR' },
    });
    const error = expectError(response, 'BAD_USER_INPUT', 'input.amount');
    expect(error.message).toContain('must be a decimal string');
  });

  test('amounts are exact to the cent', async () => {
    const id = await createPayment(stack, ann, bob, '0.10');
    const response = await ask(`query($id: ID!) { payment(id: $id) { amount } }`, { id });
    expect(response.body.data).toEqual({ payment: { amount: '0.10' } });
  });
});

describe('text', () => {
  test('an empty name is refused', async () => {
    expectError(await ask(`mutation { register(input: { email: "e@example.test", password: "long enough password", name: "   " }) { accessToken } }`), 'BAD_USER_INPUT', 'input.name');
  });

  test('an oversized string is refused', async () => {
    expectError(
      await ask(`mutation($name: String!) { register(input: { email: "big@example.test", password: "long enough password", name: $name }) { accessToken } }`, { name: 'x'.repeat(10_000) }),
      'BAD_USER_INPUT',
      'input.name',
    );
  });

  test('an oversized schema document is refused', async () => {
    const project = await createProject(stack, 'Docs', ann);
    expectError(
      await ask(`mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { number } }`, {
        input: { projectId: project, document: { blob: 'x'.repeat(1_100_000) } },
      }),
      'BAD_USER_INPUT',
      'input.document',
    );
  });

  test.each([
    ['a NUL character', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('text with %s is refused in every store', async (_name, bad) => {
    expectError(await ask(`mutation($n: String!) { register(input: { email: "nul@example.test", password: "long enough password", name: $n }) { accessToken } }`, { n: bad }), 'BAD_USER_INPUT', 'input.name');
    expectError(
      await ask(`mutation($n: String!) { createProject(input: { name: $n, type: OTHER }) { id } }`, { n: bad }),
      'BAD_USER_INPUT',
      'input.name',
    );
    expectError(await ask(`mutation($b: String, $u: ID!) { updateProfile(userId: $u, input: { bio: $b }) { id } }`, { b: bad, u: ann }), 'BAD_USER_INPUT', 'input.bio');
  });

  test('a deeply nested document that is small in bytes is refused', async () => {
    const project = await createProject(stack, 'Deep', ann);
    let document: unknown = {};
    for (let i = 0; i < 3000; i++) document = { d: document };
    expectError(
      await ask(`mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { number } }`, {
        input: { projectId: project, document },
      }),
      'BAD_USER_INPUT',
      'input.document',
    );
  });

  test('an avatar URL that is not http(s) is refused', async () => {
    expectError(
      await ask(`mutation($id: ID!) { updateProfile(userId: $id, input: { avatarUrl: "javascript:alert(1)" }) { id } }`, { id: ann }),
      'BAD_USER_INPUT',
      'input.avatarUrl',
    );
  });

  test('a duplicate email is a CONFLICT naming input.email', async () => {
    await ask(`mutation { register(input: { email: "twice@example.test", password: "long enough password", name: "One" }) { accessToken } }`);
    expectError(await ask(`mutation { register(input: { email: "TWICE@example.test", password: "long enough password", name: "Two" }) { accessToken } }`), 'CONFLICT', 'input.email');
  });
});

describe('pages', () => {
  test('a malformed cursor is refused naming `after`', async () => {
    expectError(await ask(`{ users(after: "bm90IGEgY3Vyc29y") { edges { cursor } } }`, {}, {}), 'BAD_USER_INPUT', 'after');
  });

  test('an oversized page is refused naming `first`', async () => {
    expectError(await ask(`{ users(first: 1000) { edges { cursor } } }`, {}, {}), 'BAD_USER_INPUT', 'first');
  });
});

describe('references and nothing half-written', () => {
  test('a payment to an unknown user is NOT_FOUND and writes nothing', async () => {
    const ghost = randomUUID();
    expectError(
      await ask(`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, {
        input: { recipientId: ghost, amount: '10.00', currency: 'EUR', idempotencyKey: 'ghost-1' },
      }),
      'NOT_FOUND',
      'input.recipientId',
    );
    expect(await countRows(stack.databases.paymentsUrl, 'SELECT count(*) FROM payments WHERE recipient_id = $1', [ghost])).toBe(0);
  });

  test('a project for an unknown team is NOT_FOUND (as an admin, who may use any team) and writes nothing', async () => {
    const ghost = randomUUID();
    expectError(
      await ask(`mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`, { input: { name: 'Nobody', type: 'OTHER', teamId: ghost } }, {}),
      'NOT_FOUND',
      'input.teamId',
    );
    expect(await countRows(stack.databases.projectsUrl, 'SELECT count(*) FROM projects WHERE team_id = $1', [ghost])).toBe(0);
  });

  test('paying oneself is refused', async () => {
    expectError(
      await ask(`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, {
        input: { recipientId: ann, amount: '1.00', currency: 'EUR' },
      }),
      'BAD_USER_INPUT',
      'input.recipientId',
    );
  });

  test('an idempotent retry whose metadata keys come in another order is the same payment', async () => {
    const first = await createPayment(stack, ann, bob, '6.00', { idempotencyKey: 'meta-order', metadata: { a: 1, b: { c: 2, d: 3 } } });
    const retry = await createPayment(stack, ann, bob, '6.00', { idempotencyKey: 'meta-order', metadata: { b: { d: 3, c: 2 }, a: 1 } });
    expect(retry).toBe(first);
  });

  test('an idempotency key reused for a different payment is a CONFLICT', async () => {
    await createPayment(stack, ann, bob, '3.00', { idempotencyKey: 'reuse-me' });
    expectError(
      await ask(`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, {
        input: { recipientId: bob, amount: '4.00', currency: 'EUR', idempotencyKey: 'reuse-me' },
      }),
      'CONFLICT',
      'input.idempotencyKey',
    );
  });

  test('a status change the lifecycle forbids is refused and records nothing', async () => {
    const id = await createPayment(stack, ann, bob, '8.00');
    // Moving a payment along is an admin's (a payment processor's) job: asked as the stack's admin.
    expectError(await ask(`mutation($id: ID!) { updatePaymentStatus(id: $id, status: COMPLETED) { status } }`, { id }, {}), 'BAD_USER_INPUT', 'status');
    expect(await countRows(stack.databases.paymentsUrl, 'SELECT count(*) FROM payment_transactions WHERE payment_id = $1', [id])).toBe(1);
    const moved = await ask(`mutation($id: ID!) { updatePaymentStatus(id: $id, status: PROCESSING) { status transactions { status } } }`, { id }, {});
    expect(moved.body.data).toEqual({ updatePaymentStatus: { status: 'PROCESSING', transactions: [{ status: 'PENDING' }, { status: 'PROCESSING' }] } });
  });

  test('an unknown id in a mutation is NOT_FOUND', async () => {
    expectError(await ask(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: randomUUID() }), 'NOT_FOUND');
  });
});

test('a database failure is masked: a generic error at its path, the rest of the answer intact', async () => {
  const db = new Client({ connectionString: stack.databases.profilesUrl });
  await db.connect();
  try {
    await db.query('ALTER TABLE user_profiles RENAME TO user_profiles_away');
    const response = await ask(`query($id: ID!) { user(id: $id) { name profile { bio } } }`, { id: ann });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ user: { name: 'Ann', profile: null } });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toEqual({
      message: 'Internal server error',
      path: ['user', 'profile'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
    });
  } finally {
    await db.query('ALTER TABLE user_profiles_away RENAME TO user_profiles');
    await db.end();
  }
});

describe('requests refused before GraphQL', () => {
  const post = (body: string) => fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  test('malformed JSON is a 400 with a GraphQL-shaped error, not an HTML stack page', async () => {
    const response = await post('{"query": "{ users { edges { cursor } } }"');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = await response.json();
    expect(body).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  test('an oversized body is a 413 with a GraphQL-shaped error', async () => {
    const response = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(3_000_000) } }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: 'request body is larger than 2mb', extensions: { code: 'BAD_REQUEST' } }] });
  });
});
