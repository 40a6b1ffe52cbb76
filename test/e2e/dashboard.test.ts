import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { addMember, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

/**
 * The product's promise: one question, one answer, from five services over three PostgreSQL
 * databases and MongoDB, through the real gateway over HTTP.
 */
const DASHBOARD = `query Dashboard($id: ID!) {
  user(id: $id) {
    id name email role
    teams { edges { node { name memberCount members { edges { node { role user { name } } } } } } }
    projects {
      edges { node { name type team { name } latestVersion { number message author { name } } } }
      pageInfo { hasNextPage }
    }
    profile { bio phone preferences }
    sent: payments(direction: SENT) { edges { node { amount currency status recipient { name } } } }
    received: payments(direction: RECEIVED) { edges { node { amount currency status sender { name } } } }
  }
}`;

let stack: Stack;
let ann: string;
let bob: string;
let team: string;

beforeAll(async () => {
  stack = await startStack();
  ann = await createUser(stack, 'Ann Example');
  bob = await createUser(stack, 'Bob Example', 'VENDOR');
  team = await createTeam(stack, 'Platform', ann);
  await addMember(stack, team, bob, 'ADMIN');
  const shared = await createProject(stack, 'Shared API', ann, team);
  await commitVersion(stack, shared, ann, 'first');
  await commitVersion(stack, shared, bob, 'second');
  await createProject(stack, 'Solo schema', ann);
  await createPayment(stack, ann, bob, '12.5', { description: 'coffee' });
  await createPayment(stack, bob, ann, '1000000.01');
  expectNoErrors(
    await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "Hello", phone: "+44 20 7946 0000" }) { id } }`, { id: ann }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

test('one query returns the dashboard from all five subgraphs', async () => {
  const { user } = expectNoErrors(await stack.query<{ user: any }>(DASHBOARD, { id: ann }));
  expect(user).toMatchObject({ id: ann, name: 'Ann Example', role: 'CUSTOMER' });
  expect(user.teams.edges).toEqual([
    {
      node: {
        name: 'Platform',
        memberCount: 2,
        members: {
          edges: [
            { node: { role: 'ADMIN', user: { name: 'Bob Example' } } },
            { node: { role: 'OWNER', user: { name: 'Ann Example' } } },
          ],
        },
      },
    },
  ]);
  expect(user.projects.edges.map((edge: any) => edge.node)).toEqual([
    { name: 'Solo schema', type: 'GRAPHQL', team: null, latestVersion: null },
    { name: 'Shared API', type: 'GRAPHQL', team: { name: 'Platform' }, latestVersion: { number: 2, message: 'second', author: { name: 'Bob Example' } } },
  ]);
  expect(user.profile).toEqual({ bio: 'Hello', phone: '+44 20 7946 0000', preferences: expect.objectContaining({ theme: 'system' }) });
  expect(user.sent.edges).toEqual([{ node: { amount: '12.50', currency: 'EUR', status: 'PENDING', recipient: { name: 'Bob Example' } } }]);
  expect(user.received.edges).toEqual([{ node: { amount: '1000000.01', currency: 'EUR', status: 'PENDING', sender: { name: 'Bob Example' } } }]);
});

test('a profile is made with defaults on first access', async () => {
  const { user } = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { profile { id bio preferences } } }`, { id: bob }));
  expect(user.profile).toEqual({ id: expect.any(String), bio: null, preferences: { theme: 'system', language: 'en', notifications: { email: true } } });
  const again = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { profile { id } } }`, { id: bob }));
  expect(again.user.profile.id).toBe(user.profile.id);
});

test('a dangling reference resolves to null and the rest of the response survives', async () => {
  const ghost = randomUUID();
  const projectId = randomUUID();
  const db = new Client({ connectionString: stack.databases.projectsUrl });
  await db.connect();
  try {
    // Written behind the service's back, as a legacy import or a missed delete event would.
    await db.query(`INSERT INTO projects (id, name, type, owner_id, team_id) VALUES ($1, 'Orphan', 'OTHER', $2, $3)`, [projectId, ghost, randomUUID()]);
  } finally {
    await db.end();
  }
  const response = await stack.query<{ project: any }>(
    `query($id: ID!) { project(id: $id) { name owner { id name profile { bio } } team { name } latestVersion { number } } }`,
    { id: projectId },
  );
  // The users and teams services resolve the unknown ids to null entities. Apollo Gateway then
  // answers null for each nullable field they own, and null for the whole reference when a
  // non-null field was asked for; no profile is invented for a user who does not exist.
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data!.project).toEqual({
    name: 'Orphan',
    owner: { id: ghost, name: null, profile: null },
    team: null,
    latestVersion: null,
  });
  const strict = await stack.query<{ project: any }>(`query($id: ID!) { project(id: $id) { name owner { role email } } }`, { id: projectId });
  expect(strict.body.errors).toBeUndefined();
  expect(strict.body.data).toEqual({ project: { name: 'Orphan', owner: null } });
});

test('an unknown id is null, not an error', async () => {
  const response = await stack.query(`query($id: ID!) { user(id: $id) { name } project(id: $id) { name } team(id: $id) { name } payment(id: $id) { amount } }`, {
    id: randomUUID(),
  });
  expect(response.body).toEqual({ data: { user: null, project: null, team: null, payment: null } });
});

test('lists page with cursors, without overlap or gaps', async () => {
  const owner = await createUser(stack, 'Pager');
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await createProject(stack, `Paged ${i}`, owner));
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = expectNoErrors(
      await stack.query(`query($owner: ID!, $after: String) { projects(ownerId: $owner, first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, {
        owner,
        after,
      }),
    );
    seen.push(...data.projects.edges.map((edge: any) => edge.node.id));
    if (!data.projects.pageInfo.hasNextPage) break;
    after = data.projects.pageInfo.endCursor;
  }
  expect(seen).toEqual([...ids].reverse());
  const nested: any = expectNoErrors(
    await stack.query(`query($id: ID!) { user(id: $id) { projects(first: 3) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }`, { id: owner }),
  );
  expect(nested.user.projects.edges.map((edge: any) => edge.node.id)).toEqual([...ids].reverse().slice(0, 3));
  const rest: any = expectNoErrors(
    await stack.query(`query($id: ID!, $after: String) { user(id: $id) { projects(first: 3, after: $after) { edges { node { id } } pageInfo { hasNextPage } } } }`, {
      id: owner,
      after: nested.user.projects.pageInfo.endCursor,
    }),
  );
  expect(rest.user.projects.edges.map((edge: any) => edge.node.id)).toEqual([...ids].reverse().slice(3));
  expect(rest.user.projects.pageInfo.hasNextPage).toBe(false);
});

test('concurrent commits through the gateway get consecutive version numbers', async () => {
  const project = await createProject(stack, 'Busy', ann);
  const numbers = await Promise.all(Array.from({ length: 12 }, (_, i) => commitVersion(stack, project, ann, `c${i}`).then((v) => v.number)));
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
});

test('retrying a payment with the same idempotency key returns the first payment', async () => {
  const first = await createPayment(stack, ann, bob, '5.00', { idempotencyKey: 'order-42' });
  const retries = await Promise.all([1, 2, 3].map(() => createPayment(stack, ann, bob, '5.00', { idempotencyKey: 'order-42' })));
  expect(retries).toEqual([first, first, first]);
});

test('team membership changes keep one owner and record roles', async () => {
  const owner = await createUser(stack, 'Owner');
  const member = await createUser(stack, 'Member');
  const teamId = await createTeam(stack, 'Roles', owner);
  await addMember(stack, teamId, member);
  const promoted: any = expectNoErrors(
    await stack.query(`mutation($t: ID!, $u: ID!) { changeTeamMemberRole(teamId: $t, userId: $u, role: OWNER) { members { edges { node { role user { id } } } } } }`, {
      t: teamId,
      u: member,
    }),
  );
  expect(promoted.changeTeamMemberRole.members.edges.map((edge: any) => edge.node.role).sort()).toEqual(['OWNER', 'OWNER']);
  const removed: any = expectNoErrors(
    await stack.query(`mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { memberCount } }`, { t: teamId, u: owner }),
  );
  expect(removed.removeTeamMember.memberCount).toBe(1);
  const refused = await stack.query(`mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { memberCount } }`, { t: teamId, u: member });
  expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
  // Concurrent additions all land (none is lost to a read-modify-write race).
  const extra = await Promise.all([1, 2, 3, 4, 5].map((i) => createUser(stack, `Extra ${i}`)));
  await Promise.all(extra.map((id) => addMember(stack, teamId, id)));
  const final: any = expectNoErrors(await stack.query(`query($t: ID!) { team(id: $t) { memberCount } }`, { t: teamId }));
  expect(final.team.memberCount).toBe(6);
});
