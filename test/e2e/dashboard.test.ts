import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { addMember, ANONYMOUS_REQUEST, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
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

describe('who may see and change projects, payments and profiles (enforced where the data lives)', () => {
  const code = (response: { body: { errors?: { extensions?: Record<string, any> }[] } }) => response.body.errors?.[0]?.extensions?.code;

  test('a project is visible to its owner, its team and the team token, FORBIDDEN to others; anonymous callers are refused', async () => {
    const stranger = await createUser(stack, 'Stranger');
    const member = await createUser(stack, 'Plain Member');
    await addMember(stack, team, member);
    const teamProject = await createProject(stack, 'Team owned', ann, team);
    const personal = await createProject(stack, 'Ann private', ann);
    const read = `query($id: ID!) { project(id: $id) { name } }`;
    expect(expectNoErrors(await stack.query(read, { id: teamProject }, as(member)))).toEqual({ project: { name: 'Team owned' } });
    const denied = await stack.query(read, { id: personal }, as(member));
    expect(code(denied)).toBe('FORBIDDEN');
    expect(denied.body.data).toEqual({ project: null });
    expect(code(await stack.query(read, { id: teamProject }, ANONYMOUS_REQUEST))).toBe('UNAUTHENTICATED');
    // Lists never widen what is visible: a stranger filtering by Ann or her team sees nothing.
    const list: any = expectNoErrors(await stack.query(`query($o: ID!, $t: ID!) { a: projects(ownerId: $o) { edges { node { id } } } b: projects(teamId: $t) { edges { node { id } } } }`, { o: ann, t: team }, as(stranger)));
    expect([...list.a.edges, ...list.b.edges]).toEqual([]);
    // Nested: another user's projects are filtered; a team's projects are FORBIDDEN to non-members.
    const nested = await stack.query<any>(`query($id: ID!) { user(id: $id) { projects(first: 100) { edges { node { id } } } } }`, { id: ann }, as(member));
    const ids = nested.body.data.user.projects.edges.map((edge: any) => edge.node.id);
    expect(ids).toContain(teamProject);
    expect(ids).not.toContain(personal);
    const teamProjects = await stack.query<any>(`query($t: ID!) { team(id: $t) { name projects { edges { node { id } } } } }`, { t: team }, as(stranger));
    expect(code(teamProjects)).toBe('FORBIDDEN');
    // A team API token sees its team's projects and commits to them without an author.
    const minted: any = expectNoErrors(await stack.query(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "ci") { token } }`, { t: team }, as(ann)));
    const teamToken = { authorization: `Bearer ${minted.createTeamToken.token}` };
    expect(expectNoErrors(await stack.query(read, { id: teamProject }, teamToken))).toEqual({ project: { name: 'Team owned' } });
    expect(code(await stack.query(read, { id: personal }, teamToken))).toBe('FORBIDDEN');
    const committed: any = expectNoErrors(
      await stack.query(`mutation($p: ID!) { commitProjectVersion(input: { projectId: $p, document: {}, message: "ci" }) { number author { id } } }`, { p: teamProject }, teamToken),
    );
    expect(committed.commitProjectVersion).toEqual({ number: 1, author: null });
    const byToken = await stack.query(`mutation { createProject(input: { name: "x", type: OTHER }) { id } }`, {}, teamToken);
    expect(code(byToken)).toBe('FORBIDDEN');
  });

  test("projects are changed by their owner, the team's OWNERs and ADMINs, and admins; created only in one's own teams", async () => {
    const member = await createUser(stack, 'Another Member');
    await addMember(stack, team, member);
    const project = await createProject(stack, 'Managed', ann, team);
    const rename = `mutation($id: ID!, $name: String!) { updateProject(id: $id, input: { name: $name }) { name } }`;
    expect(code(await stack.query(rename, { id: project, name: 'by member' }, as(member)))).toBe('FORBIDDEN');
    expect(code(await stack.query(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: project }, as(member)))).toBe('FORBIDDEN');
    // bob is an ADMIN of the team.
    expect(expectNoErrors(await stack.query(rename, { id: project, name: 'by team admin' }, as(bob)))).toEqual({ updateProject: { name: 'by team admin' } });
    const elsewhere = await createTeam(stack, 'Elsewhere', member);
    const create = `mutation($t: ID) { createProject(input: { name: "p", type: OTHER, teamId: $t }) { id owner { id } } }`;
    expect(code(await stack.query(create, { t: elsewhere }, as(ann)))).toBe('FORBIDDEN');
    expect(code(await stack.query(`mutation($id: ID!, $t: ID!) { updateProject(id: $id, input: { teamId: $t }) { id } }`, { id: project, t: elsewhere }, as(ann)))).toBe('FORBIDDEN');
    const mine: any = expectNoErrors(await stack.query(create, { t: elsewhere }, as(member)));
    expect(mine.createProject.owner).toEqual({ id: member });
    expect(expectNoErrors(await stack.query(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: project }, as(ann)))).toEqual({ deleteProject: project });
  });

  test('a payment is visible to its sender, recipient and admins; only admins move it, the sender may cancel it while PENDING', async () => {
    const stranger = await createUser(stack, 'Payment Stranger');
    const payment = await createPayment(stack, ann, bob, '3.00');
    const read = `query($id: ID!) { payment(id: $id) { amount sender { id } } }`;
    expect(expectNoErrors(await stack.query(read, { id: payment }, as(bob)))).toEqual({ payment: { amount: '3.00', sender: { id: ann } } });
    expect(code(await stack.query(read, { id: payment }, as(stranger)))).toBe('FORBIDDEN');
    const theirs = await stack.query<any>(`query($id: ID!) { user(id: $id) { name payments { edges { node { id } } } } }`, { id: ann }, as(stranger));
    expect(code(theirs)).toBe('FORBIDDEN');
    expect(theirs.body.data).toEqual({ user: { name: 'Ann Example', payments: null } });
    const move = `mutation($id: ID!, $s: PaymentStatus!) { updatePaymentStatus(id: $id, status: $s) { status } }`;
    expect(code(await stack.query(move, { id: payment, s: 'PROCESSING' }, as(ann)))).toBe('FORBIDDEN');
    expect(code(await stack.query(move, { id: payment, s: 'CANCELLED' }, as(bob)))).toBe('FORBIDDEN');
    expect(expectNoErrors(await stack.query(move, { id: payment, s: 'CANCELLED' }, as(ann)))).toEqual({ updatePaymentStatus: { status: 'CANCELLED' } });
  });

  test("a profile's contact fields are the user's and admins' only; a profile is changed by the user or an admin", async () => {
    const other = await createUser(stack, 'Profile Reader');
    const response = await stack.query<any>(`query($id: ID!) { user(id: $id) { profile { bio phone address } } }`, { id: ann }, as(other));
    expect(response.body.data).toEqual({ user: { profile: { bio: 'Hello', phone: null, address: null } } });
    expect(response.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code]).sort()).toEqual([
      ['user.profile.address', 'FORBIDDEN'],
      ['user.profile.phone', 'FORBIDDEN'],
    ]);
    expect(expectNoErrors(await stack.query<any>(`query($id: ID!) { user(id: $id) { profile { phone } } }`, { id: ann }, as(ann)))).toEqual({
      user: { profile: { phone: '+44 20 7946 0000' } },
    });
    const change = `mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "changed" }) { bio } }`;
    expect(code(await stack.query(change, { id: ann }, as(other)))).toBe('FORBIDDEN');
    expect(expectNoErrors(await stack.query(change, { id: other }, as(other)))).toEqual({ updateProfile: { bio: 'changed' } });
  });
});
