import { createPayment, createProject, createUser, expectNoErrors } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

/** A subgraph is down: the gateway still answers with everything the others know. */
let stack: Stack;
let ann: string;

beforeAll(async () => {
  stack = await startStack();
  ann = await createUser(stack, 'Ann');
  const bob = await createUser(stack, 'Bob');
  await createProject(stack, 'Still here', ann);
  await createPayment(stack, ann, bob, '2.00');
});

afterAll(async () => {
  await stack?.stop();
});

const DASHBOARD = `query($id: ID!) {
  user(id: $id) {
    name
    projects { edges { node { name } } }
    payments { edges { node { amount } } }
    profile { bio }
  }
}`;

test('with the payments subgraph down, the dashboard keeps the rest and says which part failed', async () => {
  expectNoErrors(await stack.query(DASHBOARD, { id: ann }));
  await stack.stopSubgraph('payments');
  const response = await stack.query<{ user: any }>(DASHBOARD, { id: ann });
  expect(response.status).toBe(200);
  expect(response.body.data!.user).toEqual({
    name: 'Ann',
    projects: { edges: [{ node: { name: 'Still here' } }] },
    payments: null,
    profile: { bio: null },
  });
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors!;
  expect(error).toEqual({ message: expect.any(String), path: ['user', 'payments'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
  // No internal address, socket error or service name reaches the client.
  expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|localhost|:\d{4,5}\/|payments service|serviceName/);
});

test('in a list, each item whose part failed gets its own error path', async () => {
  const response = await stack.query<{ users: any }>(`{ users(first: 10) { edges { node { name payments { edges { node { amount } } } } } } }`);
  const edges = response.body.data!.users.edges;
  expect(edges).toHaveLength(3); // Ann, Bob and the stack's admin
  expect(edges.every((edge: any) => edge.node.name && edge.node.payments === null)).toBe(true);
  expect(response.body.errors!.map((error) => error.path)).toEqual(edges.map((_: unknown, i: number) => ['users', 'edges', i, 'node', 'payments']));
});
