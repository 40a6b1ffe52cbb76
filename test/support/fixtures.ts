import type { GraphQLResponse, Stack } from './stack';

/** Data made through the gateway's own mutations, as a client would. */

export function expectNoErrors<T>(response: GraphQLResponse<T>): T {
  if (response.status !== 200 || response.body.errors?.length) {
    throw new Error(`unexpected errors (HTTP ${response.status}): ${JSON.stringify(response.body.errors)}`);
  }
  return response.body.data as T;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createUser(stack: Stack, name: string, role = 'CUSTOMER'): Promise<string> {
  const data = expectNoErrors(
    await stack.query<{ createUser: { id: string } }>(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { email: `${name.toLowerCase().replace(/\W+/g, '.')}.${unique()}@example.test`, name, role } },
    ),
  );
  return data.createUser.id;
}

export async function createTeam(stack: Stack, name: string, ownerId: string): Promise<string> {
  const data = expectNoErrors(
    await stack.query<{ createTeam: { id: string } }>(
      `mutation($name: String!, $ownerId: ID!) { createTeam(input: { name: $name, ownerId: $ownerId }) { id } }`,
      { name, ownerId },
    ),
  );
  return data.createTeam.id;
}

export async function addMember(stack: Stack, teamId: string, userId: string, role = 'MEMBER'): Promise<void> {
  expectNoErrors(
    await stack.query(
      `mutation($teamId: ID!, $userId: ID!, $role: TeamRole) { addTeamMember(teamId: $teamId, userId: $userId, role: $role) { id } }`,
      { teamId, userId, role },
    ),
  );
}

export async function createProject(stack: Stack, name: string, ownerId: string, teamId: string | null = null): Promise<string> {
  const data = expectNoErrors(
    await stack.query<{ createProject: { id: string } }>(
      `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`,
      { input: { name, type: 'GRAPHQL', ownerId, teamId } },
    ),
  );
  return data.createProject.id;
}

export async function commitVersion(stack: Stack, projectId: string, authorId: string, message: string, document: unknown = { types: {} }) {
  const data = expectNoErrors(
    await stack.query<{ commitProjectVersion: { id: string; number: number } }>(
      `mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { id number } }`,
      { input: { projectId, authorId, message, document } },
    ),
  );
  return data.commitProjectVersion;
}

export async function createPayment(
  stack: Stack,
  senderId: string,
  recipientId: string,
  amount: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const data = expectNoErrors(
    await stack.query<{ createPayment: { id: string } }>(
      `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`,
      { input: { senderId, recipientId, amount, currency: 'EUR', ...extra } },
    ),
  );
  return data.createPayment.id;
}
