import { TEST_PASSWORD, type GraphQLResponse, type Stack } from './stack';

/** Data made through the gateway's own mutations, as a client would. */

export function expectNoErrors<T>(response: GraphQLResponse<T>): T {
  if (response.status !== 200 || response.body.errors?.length) {
    throw new Error(`unexpected errors (HTTP ${response.status}): ${JSON.stringify(response.body.errors)}`);
  }
  return response.body.data as T;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

const tokens = new Map<string, string>();

/** The Authorization header of a user made with `createUser`. */
export function as(userId: string): { authorization: string } {
  const token = tokens.get(userId);
  if (!token) throw new Error(`no token for user ${userId}: make users with createUser`);
  return { authorization: `Bearer ${token}` };
}

export const ANONYMOUS_REQUEST = { authorization: '' };

/** Registers a user (and, for another role, has the stack's admin grant it); remembers their token. */
export async function createUser(stack: Stack, name: string, role = 'CUSTOMER'): Promise<string> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${unique()}@example.test`;
  const registered = expectNoErrors(
    await stack.query<{ register: { accessToken: string; user: { id: string } } }>(
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
      { input: { email, password: TEST_PASSWORD, name } },
      ANONYMOUS_REQUEST,
    ),
  );
  const id = registered.register.user.id;
  tokens.set(id, registered.register.accessToken);
  if (role !== 'CUSTOMER') {
    expectNoErrors(await stack.query(`mutation($id: ID!, $role: Role) { updateUser(id: $id, input: { role: $role }) { id } }`, { id, role }));
    const login = expectNoErrors(
      await stack.query<{ login: { accessToken: string } }>(
        `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
        { input: { email, password: TEST_PASSWORD } },
        ANONYMOUS_REQUEST,
      ),
    );
    tokens.set(id, login.login.accessToken);
  }
  return id;
}

export async function createTeam(stack: Stack, name: string, ownerId: string): Promise<string> {
  const data = expectNoErrors(
    await stack.query<{ createTeam: { id: string } }>(
      `mutation($name: String!) { createTeam(input: { name: $name }) { id } }`,
      { name },
      as(ownerId),
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

/** Creates a project as `ownerId` (who owns it and, with a team, must be a member of it). */
export async function createProject(stack: Stack, name: string, ownerId: string, teamId: string | null = null): Promise<string> {
  const data = expectNoErrors(
    await stack.query<{ createProject: { id: string } }>(
      `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`,
      { input: { name, type: 'GRAPHQL', teamId } },
      as(ownerId),
    ),
  );
  return data.createProject.id;
}

/** Commits a version as `authorId`, who must be able to see the project (its owner or a member of its team). */
export async function commitVersion(stack: Stack, projectId: string, authorId: string, message: string, document: unknown = { types: {} }) {
  const data = expectNoErrors(
    await stack.query<{ commitProjectVersion: { id: string; number: number } }>(
      `mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { id number } }`,
      { input: { projectId, message, document } },
      as(authorId),
    ),
  );
  return data.commitProjectVersion;
}

/** Sends a payment as `senderId`. */
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
      { input: { recipientId, amount, currency: 'EUR', ...extra } },
      as(senderId),
    ),
  );
  return data.createPayment.id;
}
