import type { TeamsStore } from '../../subgraphs/teams/server';
import type { UsersStore } from '../../subgraphs/users/server';
import { addMember, ANONYMOUS_REQUEST, as, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { startStack, TEST_PASSWORD, type Stack } from '../support/stack';

/**
 * The main flows through the real gateway with users and teams on MongoDB (FerretDB), and with
 * both on PostgreSQL (USERS_STORE=postgresql, TEAMS_STORE=postgresql): the same requests give the
 * same answers.
 */
const TEAMS_OF = `query($id: ID!) {
  user(id: $id) {
    name
    teams { edges { node { name memberCount members { edges { node { role user { name } } } } } } }
    projects { edges { node { name team { name } } } }
    sent: payments(direction: SENT) { edges { node { amount currency recipient { name } } } }
  }
}`;

const SESSION = '{ accessToken refreshToken user { name role } }';

const TEAM = `query($t: ID!) { team(id: $t) { name memberCount members { edges { node { role user { name } } } } } }`;

const STORES: { usersStore: UsersStore; teamsStore: TeamsStore }[] = [
  { usersStore: 'mongodb', teamsStore: 'mongodb' },
  { usersStore: 'postgresql', teamsStore: 'postgresql' },
];

describe.each(STORES)('users on $usersStore, teams on $teamsStore', ({ usersStore, teamsStore }) => {
  let stack: Stack;
  let ann: string;
  let bob: string;
  let cid: string;
  let team: string;

  beforeAll(async () => {
    stack = await startStack({ usersStore, teamsStore });
    ann = await createUser(stack, 'Ann Example');
    bob = await createUser(stack, 'Bob Example');
    cid = await createUser(stack, 'Cid Example');
    team = await createTeam(stack, 'Platform', ann);
    await addMember(stack, team, bob, 'ADMIN');
    await addMember(stack, team, cid, 'MEMBER');
    await createProject(stack, 'Shared API', ann, team);
    await createPayment(stack, ann, bob, '12.5');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps its data where it was told', () => {
    expect(Boolean(stack.databases.teamsUrl)).toBe(teamsStore === 'postgresql');
    expect(Boolean(stack.databases.usersUrl)).toBe(usersStore === 'postgresql');
  });

  it('answers the dashboard: the user, their teams with members, and the team of their projects', async () => {
    const { user } = expectNoErrors(await stack.query<{ user: any }>(TEAMS_OF, { id: ann }, as(ann)));
    expect(user).toEqual({
      name: 'Ann Example',
      teams: {
        edges: [
          {
            node: {
              name: 'Platform',
              memberCount: 3,
              members: {
                edges: [
                  { node: { role: 'MEMBER', user: { name: 'Cid Example' } } },
                  { node: { role: 'ADMIN', user: { name: 'Bob Example' } } },
                  { node: { role: 'OWNER', user: { name: 'Ann Example' } } },
                ],
              },
            },
          },
        ],
      },
      projects: { edges: [{ node: { name: 'Shared API', team: { name: 'Platform' } } }] },
      sent: { edges: [{ node: { amount: '12.50', currency: 'EUR', recipient: { name: 'Bob Example' } } }] },
    });
  });

  it('signs up, signs in, refreshes once per token, and logs out', async () => {
    const email = `dee.${Date.now()}@example.test`;
    const anonymous = <T>(query: string, variables: Record<string, unknown>) => stack.query<T>(query, variables, ANONYMOUS_REQUEST);
    const registered = expectNoErrors(
      await anonymous<{ register: any }>(`mutation($input: RegisterInput!) { register(input: $input) ${SESSION} }`, { input: { email, password: TEST_PASSWORD, name: 'Dee' } }),
    ).register;
    expect(registered.user).toEqual({ name: 'Dee', role: 'CUSTOMER' });
    const duplicate = await anonymous(`mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`, { input: { email, password: TEST_PASSWORD, name: 'Dee' } });
    expect(duplicate.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const wrong = await anonymous(`mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, { input: { email, password: 'not the password at all' } });
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const login = expectNoErrors(await anonymous<{ login: any }>(`mutation($input: LoginInput!) { login(input: $input) ${SESSION} }`, { input: { email, password: TEST_PASSWORD } })).login;
    const REFRESH = `mutation($token: String!) { refreshSession(refreshToken: $token) ${SESSION} }`;
    const refreshed = expectNoErrors(await anonymous<{ refreshSession: any }>(REFRESH, { token: login.refreshToken })).refreshSession;
    expect(refreshed.user).toEqual({ name: 'Dee', role: 'CUSTOMER' });
    expect(expectNoErrors(await stack.query<{ me: { name: string } }>('{ me { name } }', {}, { authorization: `Bearer ${refreshed.accessToken}` })).me.name).toBe('Dee');
    // The spent token again: reuse, which ends that login's sessions (the refreshed one too).
    expect((await anonymous(REFRESH, { token: login.refreshToken })).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await anonymous(REFRESH, { token: refreshed.refreshToken })).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expectNoErrors(await anonymous<{ logout: boolean }>(`mutation($token: String!) { logout(refreshToken: $token) }`, { token: registered.refreshToken })).logout).toBe(true);
    expect((await anonymous(REFRESH, { token: registered.refreshToken })).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('renames, changes roles and removes members, refusing what breaks the rules with the same codes', async () => {
    expectNoErrors(await stack.query(`mutation($t: ID!) { renameTeam(id: $t, name: "Platform Core") { name } }`, { t: team }, as(bob)));
    const byMember = await stack.query(`mutation($t: ID!) { renameTeam(id: $t, name: "Mine") { name } }`, { t: team }, as(cid));
    expect(byMember.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const lastOwner = await stack.query(`mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { id } }`, { t: team, u: ann }, as(ann));
    expect(lastOwner.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expectNoErrors(
      await stack.query(`mutation($t: ID!, $u: ID!) { changeTeamMemberRole(teamId: $t, userId: $u, role: ADMIN) { id } }`, { t: team, u: cid }, as(ann)),
    );
    const dan = await createUser(stack, 'Dan Example');
    await addMember(stack, team, dan, 'MEMBER');
    expectNoErrors(await stack.query(`mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { id } }`, { t: team, u: dan }, as(bob)));
    const twice = await stack.query(`mutation($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u, role: MEMBER) { id } }`, { t: team, u: bob }, as(ann));
    expect(twice.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const { team: after } = expectNoErrors(await stack.query<{ team: unknown }>(TEAM, { t: team }, as(ann)));
    expect(after).toEqual({
      name: 'Platform Core',
      memberCount: 3,
      members: {
        edges: [
          { node: { role: 'ADMIN', user: { name: 'Cid Example' } } },
          { node: { role: 'ADMIN', user: { name: 'Bob Example' } } },
          { node: { role: 'OWNER', user: { name: 'Ann Example' } } },
        ],
      },
    });
  });

  it("a team API token reads its team until it is revoked", async () => {
    const { createTeamToken } = expectNoErrors(
      await stack.query<{ createTeamToken: { token: string; teamToken: { id: string } } }>(
        `mutation($t: ID!) { createTeamToken(teamId: $t, name: "ci") { token teamToken { id } } }`,
        { t: team },
        as(ann),
      ),
    );
    const bearer = { authorization: `Bearer ${createTeamToken.token}` };
    expect(expectNoErrors(await stack.query<{ team: { name: string } }>(`query($t: ID!) { team(id: $t) { name } }`, { t: team }, bearer)).team.name).toBe('Platform Core');
    expectNoErrors(await stack.query(`mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id } }`, { t: team, k: createTeamToken.teamToken.id }, as(ann)));
    expect((await stack.query(`query($t: ID!) { team(id: $t) { name } }`, { t: team }, bearer)).status).toBe(401);
  });

  it('deleting the OWNER hands the team to the longest-standing ADMIN; deleting the team leaves nothing to see', async () => {
    expectNoErrors(await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: ann }));
    expect(expectNoErrors(await stack.query<{ user: unknown }>(`query($id: ID!) { user(id: $id) { name } }`, { id: ann }))).toEqual({ user: null });
    const handedOver = await eventually(
      async () => (await stack.query<{ team: any }>(TEAM, { t: team }, as(bob))).body.data?.team,
      (seen) => seen?.memberCount === 2,
    );
    expect(handedOver).toEqual({
      name: 'Platform Core',
      memberCount: 2,
      members: {
        edges: [
          { node: { role: 'ADMIN', user: { name: 'Cid Example' } } },
          { node: { role: 'OWNER', user: { name: 'Bob Example' } } },
        ],
      },
    });
    expectNoErrors(await stack.query(`mutation($t: ID!) { deleteTeam(id: $t) }`, { t: team }, as(bob)));
    expect(expectNoErrors(await stack.query<{ team: unknown }>(TEAM, { t: team }))).toEqual({ team: null });
    const { user } = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { teams { edges { node { name } } } } }`, { id: cid }, as(cid)));
    expect(user.teams.edges).toEqual([]);
  });
});
