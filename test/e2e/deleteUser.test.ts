import { domainEvent } from '../../lib/events/DomainEvent';
import { eventually } from '../support/eventually';
import { addMember, ANONYMOUS_REQUEST, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { integrityJson, orphanCounts } from '../support/integrity';
import { startStack, TEST_PASSWORD, type Stack } from '../support/stack';
import { sql } from '../support/legacy';
import { connectMongo } from '../../lib/mongo';

/**
 * Deleting a user through the real gateway: the users service leaves a tombstone and publishes
 * user.deleted; teams, projects and profiles apply the delete rules; payments stay. Afterwards the
 * integrity command (its own process) finds no orphan and the other users' dashboards still work.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const DASHBOARD = `query {
  me {
    id
    teams { edges { node { id name members { edges { node { role user { id } } } } projects { edges { node { id owner { id } } } } } } }
    projects { edges { node { id name team { id } versions { edges { node { number author { id } } } } } } }
    payments { edges { node { id amount sender { id name } recipient { id name } } } }
    profile { id }
  }
}`;

interface Dashboard {
  me: {
    id: string;
    teams: { edges: { node: { id: string; members: { edges: { node: { role: string; user: { id: string } | null } }[] } } }[] };
    projects: { edges: { node: { id: string } }[] };
    payments: { edges: { node: { id: string; sender: { id: string; name: string | null } | null; recipient: { id: string; name: string | null } | null } }[] };
    profile: { id: string } | null;
  };
}

test('a deleted user leaves no orphans, by the delete rules, and the others keep working', async () => {
  const doomed = await createUser(stack, 'Doomed');
  const bob = await createUser(stack, 'Bob');
  const carol = await createUser(stack, 'Carol');
  const email = expectNoErrors(await stack.query<{ user: { email: string } }>(`query($id: ID!) { user(id: $id) { email } }`, { id: doomed })).user.email;

  // T1: doomed OWNER, bob ADMIN, carol MEMBER. T2: doomed OWNER, carol MEMBER. T3: doomed alone.
  const t1 = await createTeam(stack, 'With an admin', doomed);
  await addMember(stack, t1, bob, 'ADMIN');
  await addMember(stack, t1, carol, 'MEMBER');
  const t2 = await createTeam(stack, 'Members only', doomed);
  await addMember(stack, t2, carol, 'MEMBER');
  const t3 = await createTeam(stack, 'Alone', doomed);

  const personal = await createProject(stack, 'Personal', doomed);
  await commitVersion(stack, personal, doomed, 'v1');
  await commitVersion(stack, personal, doomed, 'v2');
  const teamProject = await createProject(stack, 'Team work', doomed, t1);
  await commitVersion(stack, teamProject, doomed, 'by doomed');
  await commitVersion(stack, teamProject, bob, 'by bob');
  const bobsProject = await createProject(stack, "Bob's", bob, t1);
  await commitVersion(stack, bobsProject, doomed, 'doomed helped');
  const aloneProject = await createProject(stack, 'Alone work', doomed, t3);

  const paid = await createPayment(stack, doomed, bob, '10.00');
  const received = await createPayment(stack, bob, doomed, '2.50');
  expectNoErrors(await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "soon gone" }) { id } }`, { id: doomed }, as(doomed)));

  // Before: the stores agree (nothing deleted yet).
  expect((await integrityJson(stack.databases)).orphansLeft).toBe(0);

  // The user deletes their own account.
  expect(expectNoErrors(await stack.query<{ deleteUser: string }>(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: doomed }, as(doomed))).deleteUser).toBe(doomed);

  // The services act on user.deleted (and team.deleted) asynchronously; the check proves when they have.
  const report = await eventually(() => integrityJson(stack.databases), (result) => result.orphansLeft === 0 && result.found.every((r) => r.orphans === 0), 60_000, 500);
  expect(orphanCounts(report.found)).toEqual({});
  expect(report.code).toBe(0);
  // Payments keep their references to the deleted user: reported as kept, not as orphans.
  expect(report.found.find((r) => r.name === 'payments.sender_id → users')!.kept).toBeGreaterThanOrEqual(1);
  expect(report.found.find((r) => r.name === 'payments.recipient_id → users')!.kept).toBeGreaterThanOrEqual(1);

  // Late lookups of the user resolve to null; the email can be used again.
  expect(expectNoErrors(await stack.query(`query($id: ID!) { user(id: $id) { id } }`, { id: doomed }))).toEqual({ user: null });
  const relogin = await stack.query(`mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, { input: { email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST);
  expect(relogin.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expectNoErrors(
    await stack.query(`mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`, { input: { email, password: TEST_PASSWORD, name: 'New' } }, ANONYMOUS_REQUEST),
  );

  // Teams: T1's longest-standing ADMIN (bob) is its OWNER now; T2's only other member (carol) too; T3 is gone.
  const teams = expectNoErrors(
    await stack.query<{ a: { members: { edges: { node: { role: string; user: { id: string } } }[] } }; b: { members: { edges: { node: { role: string; user: { id: string } } }[] } }; c: null }>(
      `query($a: ID!, $b: ID!, $c: ID!) {
        a: team(id: $a) { members { edges { node { role user { id } } } } }
        b: team(id: $b) { members { edges { node { role user { id } } } } }
        c: team(id: $c) { id }
      }`,
      { a: t1, b: t2, c: t3 },
    ),
  );
  const roles = (team: { members: { edges: { node: { role: string; user: { id: string } } }[] } }) =>
    Object.fromEntries(team.members.edges.map(({ node }) => [node.user.id, node.role]));
  expect(roles(teams.a)).toEqual({ [bob]: 'OWNER', [carol]: 'MEMBER' });
  expect(roles(teams.b)).toEqual({ [carol]: 'OWNER' });
  expect(teams.c).toBeNull();

  // Projects: personal ones deleted with their versions; the team's stay without an owner, the
  // deleted user's versions without an author; the lone team's project had nobody left: deleted.
  const projects = expectNoErrors(
    await stack.query<{ personal: null; team: { owner: null; versions: { edges: { node: { message: string; author: { id: string } | null } }[] } }; bobs: { owner: { id: string }; versions: { edges: { node: { author: { id: string } | null } }[] } }; alone: null }>(
      `query($personal: ID!, $team: ID!, $bobs: ID!, $alone: ID!) {
        personal: project(id: $personal) { id }
        team: project(id: $team) { owner { id } versions { edges { node { message author { id } } } } }
        bobs: project(id: $bobs) { owner { id } versions { edges { node { author { id } } } } }
        alone: project(id: $alone) { id }
      }`,
      { personal, team: teamProject, bobs: bobsProject, alone: aloneProject },
    ),
  );
  expect(projects.personal).toBeNull();
  expect(projects.alone).toBeNull();
  expect(projects.team.owner).toBeNull();
  expect(Object.fromEntries(projects.team.versions.edges.map(({ node }) => [node.message, node.author?.id ?? null]))).toEqual({ 'by doomed': null, 'by bob': bob });
  expect(projects.bobs.owner).toEqual({ id: bob });
  expect(projects.bobs.versions.edges.map(({ node }) => node.author)).toEqual([null]);

  // The other users' dashboards work, with the payments kept: the record still says who (the id),
  // but the deleted user's name no longer resolves.
  const bobs = expectNoErrors(await stack.query<Dashboard>(DASHBOARD, {}, as(bob)));
  const payments = Object.fromEntries(bobs.me.payments.edges.map(({ node }) => [node.id, node]));
  expect(payments[paid]).toMatchObject({ sender: { id: doomed, name: null }, recipient: { id: bob, name: 'Bob' } });
  expect(payments[received]).toMatchObject({ sender: { id: bob, name: 'Bob' }, recipient: { id: doomed, name: null } });
  expect(bobs.me.teams.edges.map(({ node }) => node.id).sort()).toEqual([t1].sort());
  expect(bobs.me.projects.edges.map(({ node }) => node.id)).toEqual([bobsProject]);
  const carols = expectNoErrors(await stack.query<Dashboard>(DASHBOARD, {}, as(carol)));
  expect(carols.me.teams.edges.map(({ node }) => node.id).sort()).toEqual([t1, t2].sort());
  expect(carols.me.profile).not.toBeNull();

  // A team project without an owner stays in its team; a deleted user's token is refused (their
  // sessions ended with the deletion).
  const detach = await stack.query(`mutation($id: ID!) { updateProject(id: $id, input: { teamId: null }) { id } }`, { id: teamProject }, as(bob));
  expect(detach.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.teamId' } });
  const founding = await stack.query(`mutation { createTeam(input: { name: "From beyond" }) { id } }`, {}, as(doomed));
  expect(founding.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

  // Deleting again: NOT_FOUND, nothing else happens.
  const again = await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: doomed });
  expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});

test('user.deleted delivered again (or for a user deleted long ago) changes nothing', async () => {
  const owner = await createUser(stack, 'Keeper');
  const member = await createUser(stack, 'Staying');
  const team = await createTeam(stack, 'Kept', owner);
  await addMember(stack, team, member, 'MEMBER');
  const project = await createProject(stack, 'Kept project', owner, team);
  const gone = await createUser(stack, 'Gone');
  await addMember(stack, team, gone, 'MEMBER');
  expectNoErrors(await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: gone }));
  const membersOf = async () =>
    expectNoErrors(await stack.query<{ team: { memberCount: number } }>(`query($id: ID!) { team(id: $id) { memberCount } }`, { id: team })).team.memberCount;
  expect(await eventually(membersOf, (count) => count === 2)).toBe(2);

  // A replay for the deleted user (a new event id: not recognised as a redelivery) finds nothing to
  // do; and a user.registered handled after the deletion (out of order) makes no profile.
  const replay = domainEvent('users', 'user.deleted', { userId: gone });
  const late = domainEvent('users', 'user.registered', { userId: gone });
  await stack.events.publish([replay, late]);
  const handled = async () => {
    const pg = async (url: string, id: string) => (await sql(url, 'SELECT 1 FROM processed_events WHERE event_id = $1', [id])).length;
    const teams = await connectMongo(stack.databases.mongoUrl, stack.databases.teamsDatabase);
    const inTeams = await teams.db!.collection('processed_events').countDocuments({ _id: replay.id } as never);
    await teams.close();
    return inTeams + (await pg(stack.databases.projectsUrl, replay.id)) + (await pg(stack.databases.profilesUrl, replay.id)) + (await pg(stack.databases.profilesUrl, late.id));
  };
  expect(await eventually(handled, (count) => count === 4)).toBe(4);
  expect(await membersOf()).toBe(2);
  expect(await sql(stack.databases.profilesUrl, 'SELECT id FROM user_profiles WHERE user_id = $1', [gone])).toEqual([]);
  const kept = expectNoErrors(await stack.query<{ project: { owner: { id: string } } }>(`query($id: ID!) { project(id: $id) { owner { id } } }`, { id: project }));
  expect(kept.project.owner).toEqual({ id: owner });
  expect((await integrityJson(stack.databases)).orphansLeft).toBe(0);
});

test('nobody can block a deletion by registering the address a tombstone would take', async () => {
  const victim = await createUser(stack, 'Blocked');
  expectNoErrors(
    await stack.query(`mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`, { input: { email: `${victim}@deleted.invalid`, password: TEST_PASSWORD, name: 'Squatter' } }, ANONYMOUS_REQUEST),
  );
  expect(expectNoErrors(await stack.query<{ deleteUser: string }>(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: victim }, as(victim))).deleteUser).toBe(victim);
});

test('only the user themselves or an admin may delete a user, and a denied delete changes nothing', async () => {
  const victim = await createUser(stack, 'Victim');
  const other = await createUser(stack, 'Other');
  const denied = await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: victim }, as(other));
  expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const anonymous = await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: victim }, ANONYMOUS_REQUEST);
  expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(expectNoErrors(await stack.query<{ user: { id: string } }>(`query($id: ID!) { user(id: $id) { id } }`, { id: victim })).user).toEqual({ id: victim });
});
