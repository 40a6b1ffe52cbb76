import { randomBytes } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { addMember, ANONYMOUS_REQUEST, as, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { graphqlPost, signedPost, startStack, type GraphQLResponse, type Stack } from '../support/stack';

/**
 * Who may see and change what, through the real gateway (and straight at a subgraph where the point
 * is that it decides on its own). A denied field is FORBIDDEN at that field, the rest of the response
 * stays, and nothing changes.
 *
 * Cast: Ann owns team Apollo (Dora its ADMIN, Bob a MEMBER); Carl is a stranger with team Zeus.
 */
let stack: Stack;
let ann: string;
let bob: string;
let carl: string;
let dora: string;
let apollo: string;
let zeus: string;

type Path = (string | number)[];
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function errorsOf(response: GraphQLResponse) {
  return response.body.errors ?? [];
}

function valueAt(data: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, key) => (value == null ? value : (value as Record<string | number, unknown>)[key]), data);
}

/** A FORBIDDEN error at exactly `path`, and nothing there in the data. */
function expectForbiddenAt(response: GraphQLResponse, path: Path) {
  const error = errorsOf(response).find((candidate) => JSON.stringify(candidate.path) === JSON.stringify(path));
  expect({ path, error: error?.extensions?.code ?? errorsOf(response) }).toEqual({ path, error: 'FORBIDDEN' });
  expect(valueAt(response.body.data, path) ?? null).toBeNull();
}

/** Exactly these errors (code at path), no others. */
function expectOnlyErrors(response: GraphQLResponse, expected: [string, Path][]) {
  const actual = errorsOf(response).map((error) => [error.extensions?.code, error.path ?? []]);
  const key = (entry: unknown[]) => JSON.stringify(entry);
  expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
}

function expectCode(response: GraphQLResponse, code: string) {
  expect(response.status).toBeLessThan(500);
  expect(errorsOf(response).map((error) => error.extensions?.code)).toEqual([code]);
}

/**
 * A list the caller may only partly see: either FORBIDDEN at the field, or the list holds none of
 * `hidden` (and every one of `shown` when given).
 */
function expectDeniedOrFiltered(response: GraphQLResponse, path: Path, hidden: string[], shown: string[] = []) {
  const error = errorsOf(response).find((candidate) => JSON.stringify(candidate.path) === JSON.stringify(path));
  if (error) {
    expect(error.extensions?.code).toBe('FORBIDDEN');
    expect(valueAt(response.body.data, path) ?? null).toBeNull();
    return;
  }
  const connection = valueAt(response.body.data, path) as { edges: { node: { id: string } }[] } | null;
  expect(connection).not.toBeNull();
  const ids = connection!.edges.map((edge) => edge.node.id);
  for (const id of hidden) expect(ids).not.toContain(id);
  for (const id of shown) expect(ids).toContain(id);
}

beforeAll(async () => {
  stack = await startStack();
  ann = await createUser(stack, 'Ann');
  bob = await createUser(stack, 'Bob');
  carl = await createUser(stack, 'Carl');
  dora = await createUser(stack, 'Dora');
  apollo = await createTeam(stack, 'Apollo', ann);
  await addMember(stack, apollo, dora, 'ADMIN');
  await addMember(stack, apollo, bob, 'MEMBER');
  zeus = await createTeam(stack, 'Zeus', carl);
});

afterAll(async () => {
  await stack?.stop();
});

describe('users: email and the user list', () => {
  test('a user sees their own email; another user gets FORBIDDEN on `email` and the rest of `user` intact', async () => {
    const own = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { id email } }`, { id: ann }, as(ann)));
    expect(own.user.email).toMatch(/^ann\..*@example\.test$/);
    const other = await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { id name email role } }`, { id: ann }, as(bob));
    expectOnlyErrors(other, [['FORBIDDEN', ['user', 'email']]]);
    expect(other.body.data!.user).toEqual({ id: ann, name: 'Ann', email: null, role: 'CUSTOMER' });
    expect(JSON.stringify(other.body)).not.toContain('@example.test');
  });

  test('admins see anyone’s email', async () => {
    const data = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { email } }`, { id: ann }));
    expect(data.user.email).toMatch(/@example\.test$/);
  });

  test("register, login and refreshSession answer with the signed-in user's own email", async () => {
    const email = `zoe.${randomBytes(4).toString('hex')}@example.test`;
    const registered = await stack.query<{ register: any }>(
      `mutation($input: RegisterInput!) { register(input: $input) { user { id email } } }`,
      { input: { email, password: 'long enough password', name: 'Zoe' } },
      ANONYMOUS_REQUEST,
    );
    expect(errorsOf(registered)).toEqual([]);
    expect(registered.body.data?.register.user.email).toBe(email);
    const loggedIn = expectNoErrors(
      await stack.query<{ login: any }>(
        `mutation($input: LoginInput!) { login(input: $input) { refreshToken user { email } } }`,
        { input: { email, password: 'long enough password' } },
        ANONYMOUS_REQUEST,
      ),
    ).login;
    expect(loggedIn.user.email).toBe(email);
    const refreshed = expectNoErrors(
      await stack.query<{ refreshSession: any }>(`mutation($t: String!) { refreshSession(refreshToken: $t) { user { email } } }`, { t: loggedIn.refreshToken }, ANONYMOUS_REQUEST),
    ).refreshSession;
    expect(refreshed.user.email).toBe(email);
    // ... which shows nobody else's: another user's email stays hidden from an anonymous caller.
    const other = await stack.query(`query($id: ID!) { user(id: $id) { email } }`, { id: ann }, ANONYMOUS_REQUEST);
    expectCode(other, 'UNAUTHENTICATED');
  });

  test('only admins list users', async () => {
    expectCode(await stack.query(`{ users { edges { node { id } } } }`, {}, as(ann)), 'FORBIDDEN');
    const all = expectNoErrors(await stack.query<{ users: any }>(`{ users(first: 100) { edges { node { id } } } }`));
    expect(all.users.edges.map((edge: any) => edge.node.id)).toEqual(expect.arrayContaining([ann, bob, carl, dora]));
    expectCode(await stack.query(`{ teams { edges { node { id } } } }`, {}, as(ann)), 'FORBIDDEN');
  });

  test("a user's teams are theirs and admins' to see", async () => {
    const other = await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { name teams { edges { node { id } } } } }`, { id: ann }, as(carl));
    expectForbiddenAt(other, ['user', 'teams']);
    expect(other.body.data!.user.name).toBe('Ann');
    const own = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { teams { edges { node { id } } } } }`, { id: ann }, as(ann)));
    expect(own.user.teams.edges.map((edge: any) => edge.node.id)).toEqual([apollo]);
  });

  test('nobody changes another user, nor their own role', async () => {
    expectCode(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { name: "Hacked" }) { id } }`, { id: ann }, as(bob)), 'FORBIDDEN');
    expectCode(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { id } }`, { id: bob }, as(bob)), 'FORBIDDEN');
    expectCode(await stack.query(`mutation($id: ID!) { updateUser(id: $id, input: { emailVerified: true }) { id } }`, { id: bob }, as(bob)), 'FORBIDDEN');
    const after = expectNoErrors(await stack.query<{ a: any; b: any }>(`query($a: ID!, $b: ID!) { a: user(id: $a) { name } b: user(id: $b) { role emailVerified } }`, { a: ann, b: bob }));
    expect(after).toEqual({ a: { name: 'Ann' }, b: { role: 'CUSTOMER', emailVerified: false } });
    expectCode(await stack.query(`{ users { edges { node { id } } } }`, {}, as(bob)), 'FORBIDDEN');
  });

  test("teammates see each other's names but not emails, nested through the team's members", async () => {
    const response = await stack.query<{ team: any }>(
      `query($id: ID!) { team(id: $id) { name members { edges { node { role user { id name email } } } } } }`,
      { id: apollo },
      as(bob),
    );
    const edges = response.body.data!.team.members.edges as { node: { role: string; user: { id: string; email: string | null } } }[];
    expect(edges).toHaveLength(3);
    const expected: [string, Path][] = [];
    edges.forEach((edge, i) => {
      if (edge.node.user.id === bob) expect(edge.node.user.email).toMatch(/^bob\./);
      else expected.push(['FORBIDDEN', ['team', 'members', 'edges', i, 'node', 'user', 'email']]);
    });
    expectOnlyErrors(response, expected);
    expect(response.body.data!.team.name).toBe('Apollo');
  });

  test('calling the users subgraph directly as another user reveals no email', async () => {
    const response = await signedPost<{ _entities: any[] }>(
      stack.auth.signingSecret,
      stack.subgraphUrls.users,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id name email } } }`,
      { reps: [{ __typename: 'User', id: ann }] },
      as(bob),
    );
    expect(errorsOf(response).map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(response.body.data!._entities[0]).toMatchObject({ id: ann, name: 'Ann', email: null });
  });
});

describe('team roles', () => {
  let ops: string;
  let owner: string;
  let admin: string;
  let member: string;
  let outsider: string;

  const members = async (teamId: string) => {
    const data = expectNoErrors(await stack.query<{ team: any }>(`query($id: ID!) { team(id: $id) { name members(first: 100) { edges { node { role user { id } } } } } }`, { id: teamId }));
    return {
      name: data.team.name as string,
      roles: Object.fromEntries(data.team.members.edges.map((edge: any) => [edge.node.user.id, edge.node.role])) as Record<string, string>,
    };
  };
  const changeRole = (actor: string, userId: string, role: string) =>
    stack.query(`mutation($t: ID!, $u: ID!, $r: TeamRole!) { changeTeamMemberRole(teamId: $t, userId: $u, role: $r) { id } }`, { t: ops, u: userId, r: role }, as(actor));
  const add = (actor: string, userId: string, role: string) =>
    stack.query(`mutation($t: ID!, $u: ID!, $r: TeamRole) { addTeamMember(teamId: $t, userId: $u, role: $r) { id } }`, { t: ops, u: userId, r: role }, as(actor));
  const remove = (actor: string, userId: string) =>
    stack.query(`mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { id } }`, { t: ops, u: userId }, as(actor));
  const rename = (actor: string, name: string) => stack.query(`mutation($id: ID!, $n: String!) { renameTeam(id: $id, name: $n) { name } }`, { id: ops, n: name }, as(actor));

  beforeAll(async () => {
    owner = await createUser(stack, 'Olive');
    admin = await createUser(stack, 'Adam');
    member = await createUser(stack, 'Mia');
    outsider = await createUser(stack, 'Oscar');
    ops = await createTeam(stack, 'Ops', owner);
    await addMember(stack, ops, admin, 'ADMIN');
    await addMember(stack, ops, member, 'MEMBER');
  });

  test('a member cannot promote themselves (to ADMIN or OWNER), nor re-add themselves as OWNER', async () => {
    const before = await members(ops);
    expectCode(await changeRole(member, member, 'OWNER'), 'FORBIDDEN');
    expectCode(await changeRole(member, member, 'ADMIN'), 'FORBIDDEN');
    expectCode(await add(member, member, 'OWNER'), 'FORBIDDEN');
    expectCode(await changeRole(admin, admin, 'OWNER'), 'FORBIDDEN');
    expect(await members(ops)).toEqual(before);
  });

  test('an ADMIN cannot make an OWNER (nor another ADMIN), by adding or by changing a role', async () => {
    const before = await members(ops);
    expectCode(await changeRole(admin, member, 'OWNER'), 'FORBIDDEN');
    expectCode(await changeRole(admin, member, 'ADMIN'), 'FORBIDDEN');
    expectCode(await add(admin, outsider, 'OWNER'), 'FORBIDDEN');
    expectCode(await add(admin, outsider, 'ADMIN'), 'FORBIDDEN');
    expect(await members(ops)).toEqual(before);
  });

  test('renaming: OWNERs and ADMINs may, MEMBERs and outsiders may not', async () => {
    expectCode(await rename(member, 'Mine now'), 'FORBIDDEN');
    expectCode(await rename(outsider, 'Mine now'), 'FORBIDDEN');
    expect((await members(ops)).name).toBe('Ops');
    expect(expectNoErrors(await rename(admin, 'Ops 2')).renameTeam.name).toBe('Ops 2');
    expect(expectNoErrors(await rename(owner, 'Ops')).renameTeam.name).toBe('Ops');
  });

  test('members: ADMINs add and remove MEMBERs; MEMBERs and outsiders manage nobody; an ADMIN cannot remove the OWNER', async () => {
    const extra = await createUser(stack, 'Extra');
    expectCode(await add(member, extra, 'MEMBER'), 'FORBIDDEN');
    expectCode(await add(outsider, extra, 'MEMBER'), 'FORBIDDEN');
    expectNoErrors(await add(admin, extra, 'MEMBER'));
    expectCode(await remove(member, extra), 'FORBIDDEN');
    expectCode(await remove(outsider, extra), 'FORBIDDEN');
    expectCode(await remove(admin, owner), 'FORBIDDEN');
    expectCode(await remove(member, admin), 'FORBIDDEN');
    expectNoErrors(await remove(admin, extra));
    expect(Object.keys((await members(ops)).roles).sort()).toEqual([owner, admin, member].sort());
  });

  test('the OWNER promotes and demotes; the last OWNER cannot leave; anyone may leave', async () => {
    const leaver = await createUser(stack, 'Leaver');
    expectNoErrors(await add(owner, leaver, 'MEMBER'));
    expectNoErrors(await changeRole(owner, leaver, 'ADMIN'));
    expect((await members(ops)).roles[leaver]).toBe('ADMIN');
    expectNoErrors(await changeRole(owner, leaver, 'MEMBER'));
    expectCode(await remove(owner, owner), 'BAD_USER_INPUT');
    expectNoErrors(await remove(leaver, leaver));
    expect((await members(ops)).roles[leaver]).toBeUndefined();
  });

  test('only an OWNER deletes the team; a non-member cannot even see it', async () => {
    expectCode(await stack.query(`mutation($id: ID!) { deleteTeam(id: $id) }`, { id: ops }, as(admin)), 'FORBIDDEN');
    expectCode(await stack.query(`mutation($id: ID!) { deleteTeam(id: $id) }`, { id: ops }, as(outsider)), 'FORBIDDEN');
    const seen = await stack.query<{ team: any }>(`query($id: ID!) { team(id: $id) { name members { edges { node { role } } } } }`, { id: ops }, as(outsider));
    expectForbiddenAt(seen, ['team']);
    expect((await members(ops)).name).toBe('Ops');
  });
});

describe('team API tokens', () => {
  let token: string;
  let tokenId: string;
  const tokenHeader = () => bearer(token);
  const TOKENS = `query($id: ID!) { team(id: $id) { name tokens { id name createdBy { id } createdAt lastUsedAt revokedAt } } }`;

  beforeAll(async () => {
    const created = expectNoErrors(
      await stack.query<{ createTeamToken: any }>(
        `mutation($t: ID!) { createTeamToken(teamId: $t, name: "CI") { token teamToken { id name lastUsedAt revokedAt createdBy { id } } } }`,
        { t: apollo },
        as(ann),
      ),
    ).createTeamToken;
    token = created.token;
    tokenId = created.teamToken.id;
    expect(created.teamToken).toEqual({ id: expect.any(String), name: 'CI', lastUsedAt: null, revokedAt: null, createdBy: { id: ann } });
  });

  test('the secret is shown once: the list has no secret, the store keeps only a digest', async () => {
    expect(token).toMatch(/^sft_[0-9a-f-]{36}_[A-Za-z0-9_-]{20,}$/);
    const list = expectNoErrors(await stack.query<{ team: any }>(TOKENS, { id: apollo }, as(ann)));
    expect(list.team.tokens.map((t: any) => t.id)).toContain(tokenId);
    const secret = token.split('_').slice(2).join('_');
    expect(JSON.stringify(list)).not.toContain(secret);
    expectCode(await stack.query(`query($id: ID!) { team(id: $id) { tokens { token } } }`, { id: apollo }, as(ann)), 'GRAPHQL_VALIDATION_FAILED');
    const connection = await connectMongo(stack.databases.mongoUrl, stack.databases.teamsDatabase);
    try {
      const docs = await connection.collection('team_tokens').find({}).toArray();
      expect(JSON.stringify(docs)).not.toContain(secret);
    } finally {
      await connection.close();
    }
  });

  test('only OWNERs and ADMINs create, list and revoke tokens', async () => {
    expectCode(await stack.query(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "mine") { token } }`, { t: apollo }, as(bob)), 'FORBIDDEN');
    expectCode(await stack.query(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "mine") { token } }`, { t: apollo }, as(carl)), 'FORBIDDEN');
    const asMember = await stack.query<{ team: any }>(TOKENS, { id: apollo }, as(bob));
    expectForbiddenAt(asMember, ['team', 'tokens']);
    expect(asMember.body.data!.team.name).toBe('Apollo');
    expectCode(await stack.query(`mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id } }`, { t: apollo, k: tokenId }, as(bob)), 'FORBIDDEN');
    // Another team's owner cannot revoke it through their own team either.
    const viaZeus = await stack.query(`mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id } }`, { t: zeus, k: tokenId }, as(carl));
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(errorsOf(viaZeus)[0]?.extensions?.code);
    const admins = expectNoErrors(await stack.query<{ team: any }>(TOKENS, { id: apollo }, as(dora)));
    expect(admins.team.tokens.find((t: any) => t.id === tokenId).revokedAt).toBeNull();
  });

  test('used as a bearer it reads its own team; lastUsedAt is recorded', async () => {
    const data = expectNoErrors(await stack.query<{ team: any }>(`query($id: ID!) { team(id: $id) { id name memberCount } }`, { id: apollo }, tokenHeader()));
    expect(data.team).toEqual({ id: apollo, name: 'Apollo', memberCount: 3 });
    const list = expectNoErrors(await stack.query<{ team: any }>(TOKENS, { id: apollo }, as(ann)));
    const record = list.team.tokens.find((t: any) => t.id === tokenId);
    expect(Date.parse(record.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(record.createdAt));
  });

  test("it cannot read another team, nor a user's private data", async () => {
    expectForbiddenAt(await stack.query(`query($id: ID!) { team(id: $id) { name } }`, { id: zeus }, tokenHeader()), ['team']);
    expectCode(await stack.query(`{ me { id } }`, {}, tokenHeader()), 'FORBIDDEN');
    expectCode(await stack.query(`{ users { edges { node { id } } } }`, {}, tokenHeader()), 'FORBIDDEN');
    const user = await stack.query<{ user: any }>(
      `query($id: ID!) { user(id: $id) { name email teams { edges { node { id } } } profile { phone address } payments { edges { node { id } } } } }`,
      { id: ann },
      tokenHeader(),
    );
    // A team token does not look users up at all (it reaches users only through its team's data).
    expectForbiddenAt(user, ['user']);
    expect(user.body.data?.user ?? null).toBeNull();
    expect(JSON.stringify(user.body)).not.toContain('@example.test');
  });

  test('it cannot manage the team', async () => {
    expectCode(await stack.query(`mutation($id: ID!) { renameTeam(id: $id, name: "Owned") { name } }`, { id: apollo }, tokenHeader()), 'FORBIDDEN');
    expectCode(await stack.query(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "more") { token } }`, { t: apollo }, tokenHeader()), 'FORBIDDEN');
    expectCode(await stack.query(`mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id } }`, { t: apollo, k: tokenId }, tokenHeader()), 'FORBIDDEN');
    expectCode(
      await stack.query(`mutation($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u, role: OWNER) { id } }`, { t: apollo, u: carl }, tokenHeader()),
      'FORBIDDEN',
    );
    expectCode(await stack.query(`mutation($id: ID!) { deleteTeam(id: $id) }`, { id: apollo }, tokenHeader()), 'FORBIDDEN');
    const tokensList = await stack.query(TOKENS, { id: apollo }, tokenHeader());
    expectForbiddenAt(tokensList, ['team', 'tokens']);
    const after = expectNoErrors(await stack.query<{ team: any }>(`query($id: ID!) { team(id: $id) { name memberCount } }`, { id: apollo }));
    expect(after.team).toEqual({ name: 'Apollo', memberCount: 3 });
  });

  test('revoked, it is refused at once (401), at the gateway and at a subgraph', async () => {
    const spare = expectNoErrors(
      await stack.query<{ createTeamToken: any }>(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "spare") { token teamToken { id } } }`, { t: apollo }, as(dora)),
    ).createTeamToken;
    expectNoErrors(await stack.query(`query($id: ID!) { team(id: $id) { name } }`, { id: apollo }, bearer(spare.token)));
    const revoked = expectNoErrors(
      await stack.query<{ revokeTeamToken: any }>(`mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id revokedAt } }`, { t: apollo, k: spare.teamToken.id }, as(dora)),
    );
    expect(revoked.revokeTeamToken.revokedAt).toEqual(expect.any(String));
    const refused = await stack.query(`query($id: ID!) { team(id: $id) { name } }`, { id: apollo }, bearer(spare.token));
    expect(refused.status).toBe(401);
    expectCode(refused, 'UNAUTHENTICATED');
    for (const service of ['teams', 'projects', 'users'] as const) {
      const direct = await graphqlPost<Record<string, any>>(stack.subgraphUrls[service], `{ __typename }`, {}, bearer(spare.token));
      expect(direct.status).toBe(401);
    }
    // A token with the right id and a wrong secret is refused too.
    const forged = `sft_${tokenId}_${randomBytes(32).toString('base64url')}`;
    expect((await stack.query(`{ __typename }`, {}, bearer(forged))).status).toBe(401);
  });
});

/**
 * Projects, payments and profiles: the rules from issue 3 (visible to owner / team members / team
 * token / admins; payments to sender / recipient / admins; profile contact fields to self / admins;
 * the actor of createProject / commitProjectVersion / createPayment is the signed-in user).
 */
describe('projects, payments and profiles', () => {
  let annPersonal: string;
  let annTeam: string;
  let bobPersonal: string;
  let carlZeus: string;
  /** Ann pays Bob; Ann pays Carl; Carl pays Dora. */
  let annToBob: string;
  let annToCarl: string;
  let carlToDora: string;
  let apolloToken: string;

  const PROJECT_ROW = `id name owner { id } latestVersion { number }`;
  const createProjectAs = async (actor: string, name: string, teamId: string | null = null) =>
    expectNoErrors(
      await stack.query<{ createProject: any }>(
        `mutation($input: CreateProjectInput!) { createProject(input: $input) { id owner { id } team { id } } }`,
        { input: { name, type: 'GRAPHQL', teamId } },
        as(actor),
      ),
    ).createProject;
  const payAs = async (sender: string, recipientId: string, amount: string) =>
    expectNoErrors(
      await stack.query<{ createPayment: any }>(
        `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id sender { id } recipient { id } } }`,
        { input: { recipientId, amount, currency: 'EUR' } },
        as(sender),
      ),
    ).createPayment;
  const readProject = async (id: string) =>
    expectNoErrors(await stack.query<{ project: any }>(`query($id: ID!) { project(id: $id) { ${PROJECT_ROW} team { id } versions { edges { node { number } } } } }`, { id })).project;

  beforeAll(async () => {
    const made = await createProjectAs(ann, 'Ann personal');
    expect(made.owner.id).toBe(ann);
    annPersonal = made.id;
    annTeam = (await createProjectAs(ann, 'Ann in Apollo', apollo)).id;
    bobPersonal = (await createProjectAs(bob, 'Bob personal')).id;
    carlZeus = (await createProjectAs(carl, 'Carl in Zeus', zeus)).id;
    expectNoErrors(
      await stack.query(`mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { number } }`, { input: { projectId: annTeam, message: 'v1', document: { types: {} } } }, as(ann)),
    );
    annToBob = (await payAs(ann, bob, '10.00')).id;
    annToCarl = (await payAs(ann, carl, '20.00')).id;
    carlToDora = (await payAs(carl, dora, '30.00')).id;
    expectNoErrors(
      await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { phone: "+1 555 0100", address: "1 Main St", bio: "Ann's bio" }) { id } }`, { id: ann }, as(ann)),
    );
    apolloToken = expectNoErrors(
      await stack.query<{ createTeamToken: any }>(`mutation($t: ID!) { createTeamToken(teamId: $t, name: "reader") { token } }`, { t: apollo }, as(ann)),
    ).createTeamToken.token;
  });

  describe('the actor comes from the token', () => {
    test('createProject, commitProjectVersion and createPayment record the signed-in user', async () => {
      const project = await createProjectAs(dora, 'Dora personal');
      expect(project.owner.id).toBe(dora);
      const version = expectNoErrors(
        await stack.query<{ commitProjectVersion: any }>(
          `mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { number author { id } } }`,
          { input: { projectId: project.id, message: 'first', document: { types: {} } } },
          as(dora),
        ),
      ).commitProjectVersion;
      expect(version).toEqual({ number: 1, author: { id: dora } });
      const payment = await payAs(dora, ann, '1.00');
      expect(payment).toMatchObject({ sender: { id: dora }, recipient: { id: ann } });
    });

    test.each([
      ['createProject with ownerId', `mutation($u: ID!) { createProject(input: { name: "x", type: GRAPHQL, ownerId: $u }) { id } }`],
      ['commitProjectVersion with authorId', `mutation($u: ID!, $p: ID!) { commitProjectVersion(input: { projectId: $p, authorId: $u, document: {} }) { id } }`],
      ['createPayment with senderId', `mutation($u: ID!, $r: ID!) { createPayment(input: { senderId: $u, recipientId: $r, amount: "5.00", currency: "EUR" }) { id } }`],
    ])('%s (acting as someone else) is not even a valid operation', async (_name, query) => {
      const variables: Record<string, unknown> = { u: ann, p: annPersonal, r: carl };
      const used = Object.fromEntries(Object.entries(variables).filter(([key]) => query.includes(`$${key}`)));
      const response = await stack.query(query, used, as(bob));
      expectCode(response, 'GRAPHQL_VALIDATION_FAILED');
    });

    test('a team token cannot create payments', async () => {
      expectCode(
        await stack.query(`mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }`, { input: { recipientId: carl, amount: '5.00', currency: 'EUR' } }, bearer(apolloToken)),
        'FORBIDDEN',
      );
    });
  });

  describe('projects', () => {
    test('visible to the owner, team members (any role), the team token and admins', async () => {
      for (const [who, headers] of [
        ['owner', as(ann)],
        ['member', as(bob)],
        ['team admin', as(dora)],
        ['team token', bearer(apolloToken)],
        ['admin', {}],
      ] as const) {
        const response = await stack.query<{ project: any }>(`query($id: ID!) { project(id: $id) { id name } }`, { id: annTeam }, headers);
        expect({ who, errors: errorsOf(response), project: response.body.data?.project }).toEqual({ who, errors: [], project: { id: annTeam, name: 'Ann in Apollo' } });
      }
    });

    test.each([
      ['a stranger, a team project', () => carl, () => annTeam],
      ['a stranger, a personal project', () => carl, () => annPersonal],
      ["a teammate, the owner's personal project", () => bob, () => annPersonal],
      ["the owner of another team's project", () => ann, () => carlZeus],
    ])('FORBIDDEN for %s: project(id)', async (_name, who, id) => {
      const response = await stack.query<{ project: any; me: any }>(`query($id: ID!) { me { id } project(id: $id) { id name latestVersion { number } } }`, { id: id() }, as(who()));
      expectOnlyErrors(response, [['FORBIDDEN', ['project']]]);
      expect(response.body.data!.me.id).toBe(who());
    });

    test('the team token sees its team’s projects only', async () => {
      for (const id of [annPersonal, bobPersonal, carlZeus]) {
        expectForbiddenAt(await stack.query(`query($id: ID!) { project(id: $id) { name } }`, { id }, bearer(apolloToken)), ['project']);
      }
      const list = await stack.query(`{ projects(first: 100) { edges { node { id } } } }`, {}, bearer(apolloToken));
      expectDeniedOrFiltered(list, ['projects'], [annPersonal, bobPersonal, carlZeus], [annTeam]);
      const viaTeam = await stack.query(`query($id: ID!) { team(id: $id) { name projects { edges { node { id } } } } }`, { id: apollo }, bearer(apolloToken));
      expectDeniedOrFiltered(viaTeam, ['team', 'projects'], [annPersonal], [annTeam]);
    });

    test('lists are filtered: projects, projects(ownerId), projects(teamId)', async () => {
      const all = await stack.query(`{ projects(first: 100) { edges { node { id } } } }`, {}, as(carl));
      expectDeniedOrFiltered(all, ['projects'], [annPersonal, annTeam, bobPersonal], [carlZeus]);
      const byOwner = await stack.query(`query($o: ID!) { projects(ownerId: $o) { edges { node { id } } } }`, { o: ann }, as(carl));
      expectDeniedOrFiltered(byOwner, ['projects'], [annPersonal, annTeam]);
      const byTeam = await stack.query(`query($t: ID!) { projects(teamId: $t) { edges { node { id } } } }`, { t: apollo }, as(carl));
      expectDeniedOrFiltered(byTeam, ['projects'], [annPersonal, annTeam]);
      const asMember = await stack.query(`{ projects(first: 100) { edges { node { id } } } }`, {}, as(bob));
      expectDeniedOrFiltered(asMember, ['projects'], [annPersonal, carlZeus], [annTeam, bobPersonal]);
    });

    test("nested through a user: another user's projects, payments, teams, email and contact fields", async () => {
      const response = await stack.query<{ user: any }>(
        `query($id: ID!) { user(id: $id) {
          id name email
          projects { edges { node { id } } }
          payments { edges { node { id amount } } }
          teams { edges { node { id } } }
          profile { bio phone address }
        } }`,
        { id: ann },
        as(carl),
      );
      for (const path of [['user', 'email'], ['user', 'teams'], ['user', 'profile', 'phone'], ['user', 'profile', 'address']]) expectForbiddenAt(response, path);
      expectDeniedOrFiltered(response, ['user', 'projects'], [annPersonal, annTeam]);
      // Carl may see the payment he received from Ann, and nothing else of hers.
      expectDeniedOrFiltered(response, ['user', 'payments'], [annToBob]);
      expect(response.body.data!.user).toMatchObject({ id: ann, name: 'Ann', profile: { bio: "Ann's bio" } });
      expect(JSON.stringify(response.body)).not.toMatch(/555 0100|Main St|@example\.test|"10\.00"/);
    });

    test("nested through a project: the owner's email, payments, profile contact and other projects", async () => {
      const response = await stack.query<{ project: any }>(
        `query($id: ID!) { project(id: $id) {
          name
          owner {
            id name email
            payments { edges { node { id amount } } }
            profile { bio phone address }
            projects { edges { node { id } } }
          }
          latestVersion { number author { name email } }
          team { name }
        } }`,
        { id: annTeam },
        as(bob),
      );
      for (const path of [
        ['project', 'owner', 'email'],
        ['project', 'owner', 'profile', 'phone'],
        ['project', 'owner', 'profile', 'address'],
        ['project', 'latestVersion', 'author', 'email'],
      ]) {
        expectForbiddenAt(response, path);
      }
      expectDeniedOrFiltered(response, ['project', 'owner', 'payments'], [annToCarl]);
      expectDeniedOrFiltered(response, ['project', 'owner', 'projects'], [annPersonal]);
      expect(response.body.data!.project).toMatchObject({
        name: 'Ann in Apollo',
        owner: { id: ann, name: 'Ann', profile: { bio: "Ann's bio" } },
        latestVersion: { number: 1, author: { name: 'Ann' } },
        team: { name: 'Apollo' },
      });
      expect(JSON.stringify(response.body)).not.toMatch(/555 0100|Main St|@example\.test|"20\.00"/);
    });

    test('team { projects } for a non-member: FORBIDDEN, through the gateway and at the projects subgraph', async () => {
      const viaGateway = await stack.query(`query($id: ID!) { team(id: $id) { name projects { edges { node { id name } } } } }`, { id: apollo }, as(carl));
      expectForbiddenAt(viaGateway, ['team']);
      const direct = await signedPost<{ _entities: any[] }>(
        stack.auth.signingSecret,
        stack.subgraphUrls.projects,
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Team { projects { edges { node { id name } } } } ... on User { projects { edges { node { id } } } } } }`,
        { reps: [{ __typename: 'Team', id: apollo }, { __typename: 'User', id: ann }] },
        as(carl),
      );
      expect(JSON.stringify(direct.body)).not.toContain(annTeam);
      expect(JSON.stringify(direct.body)).not.toContain(annPersonal);
      const directProject = await signedPost<{ _entities: any[] }>(
        stack.auth.signingSecret,
        stack.subgraphUrls.projects,
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Project { id name } } }`,
        { reps: [{ __typename: 'Project', id: annPersonal }] },
        as(carl),
      );
      expect(JSON.stringify(directProject.body)).not.toContain('Ann personal');
    });

    test("a non-owner's updateProject / deleteProject / commitProjectVersion is refused and the project is unchanged", async () => {
      const before = await readProject(annTeam);
      for (const [who, headers] of [
        ['stranger', as(carl)],
        ['team token', bearer(apolloToken)],
      ] as const) {
        const update = await stack.query(`mutation($id: ID!) { updateProject(id: $id, input: { name: "Pwned", teamId: null }) { id } }`, { id: annTeam }, headers);
        expect({ who, code: errorsOf(update)[0]?.extensions?.code }).toEqual({ who, code: 'FORBIDDEN' });
        const remove = await stack.query(`mutation($id: ID!) { deleteProject(id: $id) }`, { id: annTeam }, headers);
        expect({ who, code: errorsOf(remove)[0]?.extensions?.code }).toEqual({ who, code: 'FORBIDDEN' });
      }
      // (The team's token may commit versions to its team's projects, as its members may: not tried here.)
      const commit = await stack.query(
        `mutation($input: CommitProjectVersionInput!) { commitProjectVersion(input: $input) { number } }`,
        { input: { projectId: annTeam, message: 'evil', document: { types: { Evil: {} } } } },
        as(carl),
      );
      expectCode(commit, 'FORBIDDEN');
      // Moving someone's personal project into one's own team is no way in either.
      const move = await stack.query(`mutation($id: ID!, $t: ID!) { updateProject(id: $id, input: { teamId: $t }) { id } }`, { id: annPersonal, t: zeus }, as(carl));
      expect(errorsOf(move)[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await readProject(annTeam)).toEqual(before);
      expect((await readProject(annPersonal)).team).toBeNull();
    });

    test("a project cannot be put into a team one is not a member of", async () => {
      const response = await stack.query(`mutation($t: ID!) { createProject(input: { name: "Squat", type: GRAPHQL, teamId: $t }) { id } }`, { t: apollo }, as(carl));
      expect(errorsOf(response)[0]?.extensions?.code).toBe('FORBIDDEN');
      const list = expectNoErrors(await stack.query<{ projects: any }>(`query($t: ID!) { projects(teamId: $t, first: 100) { edges { node { name } } } }`, { t: apollo }));
      expect(list.projects.edges.map((edge: any) => edge.node.name)).not.toContain('Squat');
    });
  });

  describe('payments', () => {
    test('visible to sender, recipient and admins', async () => {
      for (const who of [{}, as(ann), as(bob)]) {
        const data = expectNoErrors(await stack.query<{ payment: any }>(`query($id: ID!) { payment(id: $id) { id amount } }`, { id: annToBob }, who));
        expect(data.payment).toEqual({ id: annToBob, amount: '10.00' });
      }
    });

    test.each([
      ['a third user', () => as(carl)],
      ['a teammate of the sender', () => as(dora)],
      ["the sender's team token", () => bearer(apolloToken)],
    ])('FORBIDDEN for %s: payment(id), rest of the response intact', async (_name, headers) => {
      const response = await stack.query<{ payment: any; team: any }>(`query($id: ID!, $t: ID!) { payment(id: $id) { id amount sender { id } } team(id: $t) { id } }`, { id: annToBob, t: zeus }, headers());
      expectForbiddenAt(response, ['payment']);
      expect(JSON.stringify(response.body)).not.toContain('"10.00"');
    });

    test("payment { sender { email } }: the recipient sees the payment, not the sender's email", async () => {
      const response = await stack.query<{ payment: any }>(
        `query($id: ID!) { payment(id: $id) { amount sender { id name email profile { phone } } recipient { email } } }`,
        { id: annToBob },
        as(bob),
      );
      expectOnlyErrors(response, [
        ['FORBIDDEN', ['payment', 'sender', 'email']],
        ['FORBIDDEN', ['payment', 'sender', 'profile', 'phone']],
      ]);
      expect(response.body.data!.payment).toMatchObject({ amount: '10.00', sender: { id: ann, name: 'Ann', email: null }, recipient: { email: expect.stringMatching(/^bob\./) } });
    });

    test("user(id) { payments } of someone else: FORBIDDEN or only what the caller is party to", async () => {
      const response = await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { name payments(direction: ALL) { edges { node { id } } } } }`, { id: carl }, as(dora));
      // Dora received Carl's payment; Carl's payment from Ann is none of hers.
      expectDeniedOrFiltered(response, ['user', 'payments'], [annToCarl]);
      expect(response.body.data!.user.name).toBe('Carl');
      const own = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { payments { edges { node { id } } } } }`, { id: carl }, as(carl)));
      expect(own.user.payments.edges.map((edge: any) => edge.node.id)).toEqual(expect.arrayContaining([annToCarl, carlToDora]));
    });

    test('calling the payments subgraph directly as a third user reveals nothing', async () => {
      const response = await signedPost<{ _entities: any[] }>(
        stack.auth.signingSecret,
        stack.subgraphUrls.payments,
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Payment { id amount } ... on User { payments { edges { node { id amount } } } } } }`,
        { reps: [{ __typename: 'Payment', id: annToBob }, { __typename: 'User', id: ann }] },
        as(dora),
      );
      expect(JSON.stringify(response.body)).not.toMatch(/"10\.00"|"20\.00"/);
    });

    test('a third user cannot change a payment’s status; nothing changes', async () => {
      const response = await stack.query(`mutation($id: ID!) { updatePaymentStatus(id: $id, status: CANCELLED) { status } }`, { id: annToBob }, as(carl));
      expect(errorsOf(response)[0]?.extensions?.code).toBe('FORBIDDEN');
      const after = expectNoErrors(await stack.query<{ payment: any }>(`query($id: ID!) { payment(id: $id) { status transactions { status } } }`, { id: annToBob }));
      expect(after.payment.status).toBe('PENDING');
      expect(after.payment.transactions.map((t: any) => t.status)).not.toContain('CANCELLED');
    });
  });

  describe('profiles', () => {
    test('contact fields: the user and admins see them; others get FORBIDDEN at phone and address only', async () => {
      const Q = `query($id: ID!) { user(id: $id) { name profile { bio phone address preferences } } }`;
      for (const who of [as(ann), {}]) {
        const data = expectNoErrors(await stack.query<{ user: any }>(Q, { id: ann }, who));
        expect(data.user.profile).toMatchObject({ bio: "Ann's bio", phone: '+1 555 0100', address: '1 Main St' });
      }
      const other = await stack.query<{ user: any }>(Q, { id: ann }, as(bob));
      expectOnlyErrors(other, [
        ['FORBIDDEN', ['user', 'profile', 'phone']],
        ['FORBIDDEN', ['user', 'profile', 'address']],
      ]);
      expect(other.body.data!.user).toMatchObject({ name: 'Ann', profile: { bio: "Ann's bio", phone: null, address: null } });
    });

    test("nobody else changes a user's profile; nothing changes", async () => {
      for (const headers of [as(bob), bearer(apolloToken)]) {
        const response = await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { phone: "+1 666", bio: "pwned" }) { bio } }`, { id: ann }, headers);
        expect(errorsOf(response)[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      const data = expectNoErrors(await stack.query<{ user: any }>(`query($id: ID!) { user(id: $id) { profile { bio phone } } }`, { id: ann }));
      expect(data.user.profile).toEqual({ bio: "Ann's bio", phone: '+1 555 0100' });
    });

    test('calling the profiles subgraph directly as another user reveals no contact fields', async () => {
      const response = await signedPost<{ _entities: any[] }>(
        stack.auth.signingSecret,
        stack.subgraphUrls.profiles,
        `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { profile { phone address } } } }`,
        { reps: [{ __typename: 'User', id: ann }] },
        as(bob),
      );
      expect(JSON.stringify(response.body)).not.toMatch(/555 0100|Main St/);
    });
  });
});
