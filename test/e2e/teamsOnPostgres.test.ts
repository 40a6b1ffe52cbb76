import type { TeamsStore } from '../../subgraphs/teams/server';
import { addMember, as, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { startStack, type Stack } from '../support/stack';

/**
 * The teams service's main flows through the real gateway with its teams on MongoDB (FerretDB)
 * and on PostgreSQL (TEAMS_STORE=postgresql): the same requests give the same answers.
 */
const TEAMS_OF = `query($id: ID!) {
  user(id: $id) {
    name
    teams { edges { node { name memberCount members { edges { node { role user { name } } } } } } }
    projects { edges { node { name team { name } } } }
  }
}`;

const TEAM = `query($t: ID!) { team(id: $t) { name memberCount members { edges { node { role user { name } } } } } }`;

describe.each<TeamsStore>(['mongodb', 'postgresql'])('teams on %s', (teamsStore) => {
  let stack: Stack;
  let ann: string;
  let bob: string;
  let cid: string;
  let team: string;

  beforeAll(async () => {
    stack = await startStack({ teamsStore });
    ann = await createUser(stack, 'Ann Example');
    bob = await createUser(stack, 'Bob Example');
    cid = await createUser(stack, 'Cid Example');
    team = await createTeam(stack, 'Platform', ann);
    await addMember(stack, team, bob, 'ADMIN');
    await addMember(stack, team, cid, 'MEMBER');
    await createProject(stack, 'Shared API', ann, team);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps its data where it was told', () => {
    expect(Boolean(stack.databases.teamsUrl)).toBe(teamsStore === 'postgresql');
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
    });
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
