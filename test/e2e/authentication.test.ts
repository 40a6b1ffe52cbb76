import { randomBytes, randomUUID } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { ANONYMOUS_REQUEST, as, createUser, expectNoErrors } from '../support/fixtures';
import { graphqlPost, signedPost, startStack, TEST_ACCOUNTS, TEST_PASSWORD, type GraphQLResponse, type Stack } from '../support/stack';
import { embeddedJwkToken, foreignKeyToken, hs256WithPublicKey, mintToken, tamperedToken, unsignedToken } from '../support/tokens';

/**
 * Sign-up, login, sessions and every way of presenting a bad credential, through the real gateway
 * (and straight to subgraphs, which verify on their own). Login throttling is set low here: after
 * three failures for an account from one address, that address waits a minute for it.
 */
let stack: Stack;
/** Every log line any service wrote while this file ran (debug level): a password must never be in one. */
const logLines: string[] = [];
let restoreStderr: () => void;
/** Counts database queries per service, to show a refused credential reaches no subgraph. */
const queries: Record<string, number> = {};

const BACKOFF_SECONDS = 60;
const MY_PASSWORD = `Pa55word-${randomBytes(6).toString('hex')}`;

const REGISTER = `mutation($input: RegisterInput!) {
  register(input: $input) { accessToken accessTokenExpiresIn refreshToken user { id name role } }
}`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken user { id } } }`;
const LOGOUT = `mutation($token: String!) { logout(refreshToken: $token) }`;
const ME = `{ me { id name email role } }`;

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const uniqueEmail = (name: string) => `${name}.${randomBytes(4).toString('hex')}@example.test`;

function anonymous<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) {
  return stack.query<T>(query, variables, ANONYMOUS_REQUEST);
}

async function register(email: string, password = TEST_PASSWORD, name = 'Someone'): Promise<Session> {
  return expectNoErrors(await anonymous<{ register: Session }>(REGISTER, { input: { email, password, name } })).register;
}

function login(email: string, password: string) {
  return anonymous<{ login: Session }>(LOGIN, { input: { email, password } });
}

function refresh(token: string) {
  return anonymous<{ refreshSession: Session }>(REFRESH, { token });
}

/** The single error of a response, with the code expected. */
function expectError(response: GraphQLResponse, code: string | string[], field?: string) {
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors!;
  expect([code].flat()).toContain(error!.extensions?.code);
  if (field) expect(error!.extensions?.field).toBe(field);
  return error!;
}

/** Refused before planning: HTTP 401, one UNAUTHENTICATED error, no data at all. */
function expectRefused(response: GraphQLResponse) {
  expect(response.status).toBe(401);
  expect(response.body.data ?? null).toBeNull();
  expectError(response, 'UNAUTHENTICATED');
}

beforeAll(async () => {
  const write = process.stderr.write.bind(process.stderr);
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    logLines.push(text);
    // Keep the console readable: only pass on what is not debug chatter.
    if (!text.includes('"level":"debug"')) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    return true;
  }) as typeof process.stderr.write);
  restoreStderr = () => spy.mockRestore();
  stack = await startStack({
    logLevel: 'debug',
    accounts: { login: { ...TEST_ACCOUNTS.login, maxFailuresPerAccountAndAddress: 3, backoffSeconds: BACKOFF_SECONDS } },
    onQuery: (service) => {
      queries[service] = (queries[service] ?? 0) + 1;
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  restoreStderr?.();
});

afterAll(() => {
  // Whatever happened above, no service logged a password.
  const logs = logLines.join('');
  expect(logs).not.toContain(MY_PASSWORD);
  expect(logs).not.toContain(TEST_PASSWORD);
});

describe('sign-up, login, me, refresh, logout', () => {
  test('the whole happy path, as a client does it', async () => {
    const email = uniqueEmail('Grace.Hopper').replace('grace', 'Grace');
    const registered = expectNoErrors(await anonymous<{ register: any }>(REGISTER, { input: { email, password: MY_PASSWORD, name: 'Grace' } })).register;
    expect(registered).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      accessTokenExpiresIn: 900,
      refreshToken: expect.any(String),
      user: { id: expect.any(String), name: 'Grace', role: 'CUSTOMER' },
    });
    const id = registered.user.id;

    const me = expectNoErrors(await stack.query<{ me: any }>(ME, {}, bearer(registered.accessToken))).me;
    expect(me).toEqual({ id, name: 'Grace', email: email.toLowerCase(), role: 'CUSTOMER' });

    // Login compares emails case-insensitively.
    const loggedIn = expectNoErrors(await login(email.toUpperCase(), MY_PASSWORD)).login;
    expect(loggedIn.user.id).toBe(id);
    expect(expectNoErrors(await stack.query<{ me: any }>(ME, {}, bearer(loggedIn.accessToken))).me.id).toBe(id);

    const refreshed = expectNoErrors(await refresh(loggedIn.refreshToken)).refreshSession;
    expect(refreshed.user.id).toBe(id);
    expect(refreshed.refreshToken).not.toBe(loggedIn.refreshToken);
    expect(expectNoErrors(await stack.query<{ me: any }>(ME, {}, bearer(refreshed.accessToken))).me.id).toBe(id);

    expect(expectNoErrors(await anonymous<{ logout: boolean }>(LOGOUT, { token: refreshed.refreshToken })).logout).toBe(true);
    expectError(await refresh(refreshed.refreshToken), 'UNAUTHENTICATED');
    // The session from registration is a family of its own and still works.
    expect(expectNoErrors(await refresh(registered.refreshToken)).refreshSession.user.id).toBe(id);
  });

  test('the password is stored as an argon2id hash, never returned, never logged', async () => {
    const session = await register(uniqueEmail('hash'), MY_PASSWORD);
    const connection = await connectMongo(stack.databases.mongoUrl, stack.databases.usersDatabase);
    try {
      const doc = (await connection.collection('users').findOne({ _id: session.user.id } as never)) as Record<string, unknown> | null;
      expect(doc).not.toBeNull();
      expect(doc!.passwordHash).toEqual(expect.stringMatching(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/));
      expect(JSON.stringify(doc)).not.toContain(MY_PASSWORD);
      // Refresh tokens are kept as digests too.
      const secret = session.refreshToken.split('.')[1]!;
      const tokens = await connection.collection('refresh_tokens').find({ userId: session.user.id }).toArray();
      expect(tokens.length).toBeGreaterThan(0);
      expect(JSON.stringify(tokens)).not.toContain(secret);
    } finally {
      await connection.close();
    }
    // No field of the graph carries a password or its hash.
    for (const field of ['password', 'passwordHash']) {
      expectError(await stack.query(`{ me { ${field} } }`, {}, bearer(session.accessToken)), 'GRAPHQL_VALIDATION_FAILED');
    }
    // A wrong password's error does not echo it.
    const wrong = await login(`nobody.${randomBytes(3).toString('hex')}@example.test`, `${MY_PASSWORD}x`);
    expectError(wrong, 'UNAUTHENTICATED');
    expect(JSON.stringify(wrong.body)).not.toContain(MY_PASSWORD);
  });

  test('an email already taken (in any case) is a CONFLICT; an unknown email and a wrong password get the same answer', async () => {
    const email = uniqueEmail('taken');
    await register(email);
    expectError(await anonymous(REGISTER, { input: { email: email.toUpperCase(), password: TEST_PASSWORD, name: 'Again' } }), 'CONFLICT', 'input.email');
    const unknown = expectError(await login(uniqueEmail('unknown'), TEST_PASSWORD), 'UNAUTHENTICATED');
    const wrong = expectError(await login(email, 'not the password'), 'UNAUTHENTICATED');
    expect(unknown.message).toBe(wrong.message);
  });
});

describe('anonymous requests', () => {
  test('may register and log in', async () => {
    const email = uniqueEmail('anon');
    await register(email);
    expect(expectNoErrors(await login(email, TEST_PASSWORD)).login.accessToken).toEqual(expect.any(String));
  });

  test.each([
    ['me', `{ me { id } }`, {}],
    ['user', `query($id: ID!) { user(id: $id) { id name } }`, { id: 'USER' }],
    ['users', `{ users { edges { node { id } } } }`, {}],
    ['team', `query($id: ID!) { team(id: $id) { id } }`, { id: randomUUID() }],
    ['teams', `{ teams { edges { node { id } } } }`, {}],
    ['project', `query($id: ID!) { project(id: $id) { id name } }`, { id: randomUUID() }],
    ['projects', `{ projects { edges { node { id name } } } }`, {}],
    ['payment', `query($id: ID!) { payment(id: $id) { id amount } }`, { id: randomUUID() }],
    ['createTeam', `mutation { createTeam(input: { name: "Mine" }) { id } }`, {}],
    ['createProject', `mutation { createProject(input: { name: "Mine", type: GRAPHQL }) { id } }`, {}],
    ['updateProfile', `mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "hi" }) { bio } }`, { id: 'USER' }],
  ])('get UNAUTHENTICATED for %s', async (_field, query, variables) => {
    const user = await createUser(stack, 'Target');
    const resolved = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, value === 'USER' ? user : value]));
    const response = await anonymous(query, resolved);
    expect(response.status).toBeLessThan(500);
    const error = expectError(response, 'UNAUTHENTICATED');
    expect(Object.values(response.body.data ?? {}).every((value) => value === null)).toBe(true);
    expect(error.message).not.toMatch(/stack|at \//);
  });
});

describe('a bad credential is refused with 401 UNAUTHENTICATED before planning', () => {
  let victim: string;
  let victimToken: string;
  const bad: Record<string, string> = {};
  const badTokens = [
    'expired',
    'signed with another Ed25519 key',
    'alg none',
    'alg none with the original signature',
    'HS256 with the public key (PEM) as secret',
    'HS256 with the public key (DER) as secret',
    'tampered payload: role ADMIN',
    'tampered payload: another subject',
    'wrong issuer',
    'wrong audience',
    'attacker key in the jwk header',
    'no expiry',
    'garbage',
    'unknown team token',
  ] as const;

  beforeAll(async () => {
    victim = await createUser(stack, 'Victim');
    victimToken = as(victim).authorization.slice('Bearer '.length);
    const past = Math.floor(Date.now() / 1000) - 3600;
    const claims = { sub: victim, role: 'ADMIN' };
    bad['expired'] = await mintToken(stack.keys.privateKey, { sub: victim, iat: past - 900, exp: past });
    bad['signed with another Ed25519 key'] = await foreignKeyToken(claims);
    bad['alg none'] = unsignedToken(claims);
    bad['alg none with the original signature'] = `${unsignedToken(claims)}${victimToken.split('.')[2]}`;
    bad['HS256 with the public key (PEM) as secret'] = await hs256WithPublicKey(stack.keys.publicKey, claims, 'pem');
    bad['HS256 with the public key (DER) as secret'] = await hs256WithPublicKey(stack.keys.publicKey, claims, 'der');
    bad['tampered payload: role ADMIN'] = tamperedToken(victimToken, { role: 'ADMIN' });
    bad['tampered payload: another subject'] = tamperedToken(victimToken, { sub: randomUUID() });
    bad['wrong issuer'] = await mintToken(stack.keys.privateKey, { sub: victim, iss: 'someone-else' });
    bad['wrong audience'] = await mintToken(stack.keys.privateKey, { sub: victim, aud: 'another-app' });
    bad['attacker key in the jwk header'] = await embeddedJwkToken(claims);
    bad['no expiry'] = await mintToken(stack.keys.privateKey, { sub: victim, exp: null });
    bad['garbage'] = 'not-a-jwt';
    bad['unknown team token'] = `sft_${randomUUID()}_${randomBytes(32).toString('base64url')}`;
  });

  test('the good token works (the bad ones below differ from it in one way)', async () => {
    expect(expectNoErrors(await stack.query<{ me: any }>(ME, {}, as(victim))).me.id).toBe(victim);
  });

  test.each(badTokens)('%s: refused at the gateway, no subgraph reached', async (name) => {
    const before = { ...queries };
    const response = await stack.query(`query($id: ID!) { me { id role } project(id: $id) { name } }`, { id: randomUUID() }, bearer(bad[name]!));
    expectRefused(response);
    expect(JSON.stringify(response.body)).not.toContain(victim);
    // The projects and payments services were not asked anything (team-token lookups touch teams only).
    expect(queries.projects ?? 0).toBe(before.projects ?? 0);
    expect(queries.users ?? 0).toBe(before.users ?? 0);
  });

  test.each(badTokens)('%s: refused by the users and projects subgraphs when called directly', async (name) => {
    for (const service of ['users', 'projects', 'payments'] as const) {
      const response = await graphqlPost<Record<string, any>>(stack.subgraphUrls[service], `{ __typename }`, {}, bearer(bad[name]!));
      expectRefused(response);
    }
    const users = await signedPost<Record<string, any>>(
      stack.auth.signingSecret,
      stack.subgraphUrls.users,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id email role } } }`,
      { reps: [{ __typename: 'User', id: victim }] },
      bearer(bad[name]!),
    );
    expectRefused(users);
  });

  test.each([
    ['no scheme', (token: string) => token],
    ['Basic', () => `Basic ${Buffer.from(`x:${TEST_PASSWORD}`).toString('base64')}`],
    ['Bearer without a token', () => 'Bearer'],
    ['Bearer and a blank', () => 'Bearer    '],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
    ['a quote in the token', (token: string) => `Bearer ${token}"`],
    ['a comma list', (token: string) => `Bearer ${token}, Bearer ${token}`],
    ['a huge header', () => `Bearer ${'a'.repeat(6000)}`],
  ])('a malformed Authorization header (%s) is refused, at the gateway and at a subgraph', async (_name, header) => {
    const authorization = header(victimToken);
    expectRefused(await stack.query(ME, {}, { authorization }));
    expectRefused(await graphqlPost<Record<string, any>>(stack.subgraphUrls.users, ME, {}, { authorization }));
  });

  test('calling a subgraph directly without a token grants nothing: no email, no user list', async () => {
    const entities = await signedPost<{ _entities: any[] }>(
      stack.auth.signingSecret,
      stack.subgraphUrls.users,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id name email } } }`,
      { reps: [{ __typename: 'User', id: victim }] },
    );
    // No credential, no entities: not even the name the gateway would only show a signed-in caller.
    expect(entities.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(entities.body.data?._entities?.[0] ?? null).toBeNull();
    expect(JSON.stringify(entities.body)).not.toContain('@example.test');
    const list = await graphqlPost<Record<string, any>>(stack.subgraphUrls.users, `{ users { edges { node { id email } } } }`);
    expect(list.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(list.body.data ?? null).toBeNull();
  });
});

describe('refresh tokens', () => {
  test('rotate: the one presented is spent, the new one works', async () => {
    const email = uniqueEmail('rotate');
    await register(email);
    const first = expectNoErrors(await login(email, TEST_PASSWORD)).login;
    const second = expectNoErrors(await refresh(first.refreshToken)).refreshSession;
    const third = expectNoErrors(await refresh(second.refreshToken)).refreshSession;
    expect(new Set([first.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
  });

  test('reusing a spent one revokes the whole family: the newer token stops working too; other logins live on', async () => {
    const email = uniqueEmail('reuse');
    await register(email);
    const other = expectNoErrors(await login(email, TEST_PASSWORD)).login;
    const stolen = expectNoErrors(await login(email, TEST_PASSWORD)).login;
    const victimsNext = expectNoErrors(await refresh(stolen.refreshToken)).refreshSession;
    // The thief replays the spent token.
    const replay = await refresh(stolen.refreshToken);
    expectError(replay, 'UNAUTHENTICATED');
    expect(replay.body.data?.refreshSession ?? null).toBeNull();
    // ... which ends the family: the victim's newer token is refused as well.
    expectError(await refresh(victimsNext.refreshToken), 'UNAUTHENTICATED');
    // A separate login is a separate family.
    expect(expectNoErrors(await refresh(other.refreshToken)).refreshSession.user.id).toBe(other.user.id);
  });

  test('concurrent uses of one token: exactly one succeeds, the others count as reuse and end the family', async () => {
    const email = uniqueEmail('race');
    await register(email);
    for (let round = 0; round < 3; round++) {
      const session = expectNoErrors(await login(email, TEST_PASSWORD)).login;
      const results = await Promise.all(Array.from({ length: 5 }, () => refresh(session.refreshToken)));
      const winners = results.filter((result) => result.body.data?.refreshSession);
      expect(winners).toHaveLength(1);
      for (const loser of results.filter((result) => !result.body.data?.refreshSession)) expectError(loser, 'UNAUTHENTICATED');
      expectError(await refresh(winners[0]!.body.data!.refreshSession.refreshToken), 'UNAUTHENTICATED');
    }
  });

  test('a logged-out (revoked) token is refused', async () => {
    const email = uniqueEmail('logout');
    await register(email);
    const session = expectNoErrors(await login(email, TEST_PASSWORD)).login;
    expect(expectNoErrors(await anonymous<{ logout: boolean }>(LOGOUT, { token: session.refreshToken })).logout).toBe(true);
    expectError(await refresh(session.refreshToken), 'UNAUTHENTICATED');
  });

  test.each([
    ['garbage', 'garbage'],
    ['an id and no secret', `${randomUUID()}.`],
    ['an unknown id', `${randomUUID()}.${randomBytes(32).toString('base64url')}`],
    ['three parts', `${randomUUID()}.${randomBytes(32).toString('base64url')}.x`],
    ['an access token', 'ACCESS'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ])('a refresh token that is %s is refused and logout says false (or BAD_USER_INPUT)', async (_name, given) => {
    const email = uniqueEmail('garbage');
    const session = await register(email);
    const token = given === 'ACCESS' ? session.accessToken : given;
    const response = await refresh(token);
    expectError(response, ['UNAUTHENTICATED', 'BAD_USER_INPUT']);
    expect(response.body.data?.refreshSession ?? null).toBeNull();
    const out = await anonymous<{ logout: boolean }>(LOGOUT, { token });
    if (out.body.errors) expectError(out, 'BAD_USER_INPUT', 'refreshToken');
    else expect(out.body.data!.logout).toBe(false);
    // Guessing did not end the real session.
    expect(expectNoErrors(await refresh(session.refreshToken)).refreshSession.user.id).toBe(session.user.id);
  });

  test('a real token with a forged secret is refused and does not end the session', async () => {
    const session = await register(uniqueEmail('forged'));
    const [id] = session.refreshToken.split('.');
    const forged = `${id}.${randomBytes(32).toString('base64url')}`;
    expectError(await refresh(forged), 'UNAUTHENTICATED');
    expect(expectNoErrors(await anonymous<{ logout: boolean }>(LOGOUT, { token: forged })).logout).toBe(false);
    expect(expectNoErrors(await refresh(session.refreshToken)).refreshSession.user.id).toBe(session.user.id);
  });
});

describe('login throttling (after 3 failures from one address, that address waits a minute for the account)', () => {
  test('repeated wrong passwords get RATE_LIMITED with retryAfterSeconds, then even the right password is refused from that address; another account still logs in', async () => {
    const email = uniqueEmail('locked');
    const bystander = uniqueEmail('bystander');
    await register(email);
    await register(bystander);
    for (let attempt = 1; attempt <= 3; attempt++) expectError(await login(email, `wrong password ${attempt}`), 'UNAUTHENTICATED');
    const locked = expectError(await login(email, 'wrong password 4'), 'RATE_LIMITED');
    expect(locked.extensions!.retryAfterSeconds).toEqual(expect.any(Number));
    expect(locked.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.extensions!.retryAfterSeconds).toBeLessThanOrEqual(BACKOFF_SECONDS);
    expect(locked.message).toMatch(/try again/i);

    const right = await login(email, TEST_PASSWORD);
    expectError(right, 'RATE_LIMITED');
    expect(right.body.data?.login ?? null).toBeNull();
    // The address limit is high here: another account signs in from the same address.
    expect(expectNoErrors(await login(bystander, TEST_PASSWORD)).login.accessToken).toEqual(expect.any(String));
  });

  test('a success clears the count: failures must be consecutive', async () => {
    const email = uniqueEmail('clears');
    await register(email);
    for (let round = 0; round < 2; round++) {
      for (let attempt = 0; attempt < 2; attempt++) expectError(await login(email, 'not it at all'), 'UNAUTHENTICATED');
      expectNoErrors(await login(email, TEST_PASSWORD));
    }
  });

  test('unknown emails are throttled the same way (no hint that the account does not exist)', async () => {
    const email = uniqueEmail('ghost');
    for (let attempt = 0; attempt < 3; attempt++) expectError(await login(email, 'whatever pass'), 'UNAUTHENTICATED');
    expectError(await login(email, 'whatever pass'), 'RATE_LIMITED');
  });
});

describe('over-long passwords', () => {
  const long = 'p'.repeat(10_000);

  test.each([
    ['register', () => anonymous(REGISTER, { input: { email: uniqueEmail('long'), password: long, name: 'Long' } })],
    ['login', () => login(uniqueEmail('long'), long)],
  ])('%s: BAD_USER_INPUT naming input.password, quickly', async (_name, send) => {
    const started = Date.now();
    const response = await send();
    expect(Date.now() - started).toBeLessThan(5_000);
    const error = expectError(response, 'BAD_USER_INPUT', 'input.password');
    expect(error.message).toContain('input.password');
    expect(JSON.stringify(response.body)).not.toContain(long);
  });

  test('257 characters is too long, 256 is fine', async () => {
    expectError(await anonymous(REGISTER, { input: { email: uniqueEmail('p257'), password: 'q'.repeat(257), name: 'P' } }), 'BAD_USER_INPUT', 'input.password');
    const email = uniqueEmail('p256');
    await register(email, 'q'.repeat(256));
    expectNoErrors(await login(email, 'q'.repeat(256)));
  });

  test('an over-long email is BAD_USER_INPUT naming input.email', async () => {
    expectError(await login(`${'e'.repeat(10_000)}@example.test`, TEST_PASSWORD), 'BAD_USER_INPUT', 'input.email');
  });
});

describe('MongoDB operator injection and friends', () => {
  let victimEmail: string;
  let victimId: string;

  beforeAll(async () => {
    victimEmail = uniqueEmail('injected');
    victimId = (await register(victimEmail)).user.id;
  });

  /** Refused by GraphQL variable coercion or by input validation; never a session. */
  function expectNoLogin(response: GraphQLResponse) {
    expect(response.status).toBeLessThan(500);
    expect(response.body.errors?.length).toBeGreaterThan(0);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'UNAUTHENTICATED']).toContain(response.body.errors![0]!.extensions?.code);
    expect(JSON.stringify(response.body)).not.toMatch(/accessToken"\s*:\s*"/);
    expect(JSON.stringify(response.body)).not.toContain(victimId);
  }

  test.each([
    ['email {$ne: ""}', () => ({ email: { $ne: '' }, password: TEST_PASSWORD })],
    ['email {$gt: ""}', () => ({ email: { $gt: '' }, password: TEST_PASSWORD })],
    ['email {$regex: ".*"}', () => ({ email: { $regex: '.*' }, password: TEST_PASSWORD })],
    ['email as a list', () => ({ email: [victimEmail], password: TEST_PASSWORD })],
    ['password {$ne: ""}', () => ({ email: victimEmail, password: { $ne: '' } })],
    ['password {$gt: ""}', () => ({ email: victimEmail, password: { $gt: '' } })],
    ['both {$ne: null}', () => ({ email: { $ne: null }, password: { $ne: null } })],
    ['email {$where: ...}', () => ({ email: { $where: 'return true' }, password: TEST_PASSWORD })],
    ['email "$where"', () => ({ email: '$where', password: TEST_PASSWORD })],
    ['email "{\\"$ne\\": \\"\\"}" as text', () => ({ email: '{"$ne": ""}', password: TEST_PASSWORD })],
    ["email a@b.c' || '1'=='1", () => ({ email: "a@b.c' || '1'=='1", password: TEST_PASSWORD })],
    ["the victim's email with ' || '1'=='1", () => ({ email: `${victimEmail}' || '1'=='1`, password: TEST_PASSWORD })],
  ])('login with %s is refused and signs nobody in', async (_name, input) => {
    expectNoLogin(await anonymous(LOGIN, { input: input() }));
  });

  test('passwords that look like operators are only wrong passwords (at most two, so the victim is not locked)', async () => {
    for (const password of [`' || '1'=='1`, '{"$ne": ""}']) expectNoLogin(await login(victimEmail, password));
    // And the victim's account works as before.
    expect(expectNoErrors(await login(victimEmail, TEST_PASSWORD)).login.user.id).toBe(victimId);
  });

  test.each([
    ['register with email {$ne: ""}', REGISTER, () => ({ input: { email: { $ne: '' }, password: TEST_PASSWORD, name: 'X' } })],
    ['register with name {$gt: ""}', REGISTER, () => ({ input: { email: uniqueEmail('n'), password: TEST_PASSWORD, name: { $gt: '' } } })],
    ['refreshSession with {$ne: ""}', REFRESH, () => ({ token: { $ne: '' } })],
    ['logout with {$ne: null}', LOGOUT, () => ({ token: { $ne: null } })],
    ['user(id: {$ne: ""})', `query($id: ID!) { user(id: $id) { id } }`, () => ({ id: { $ne: '' } })],
    ['user(id: "{\\"$ne\\": \\"\\"}")', `query($id: ID!) { user(id: $id) { id } }`, () => ({ id: '{"$ne": ""}' })],
    ['team(id: {$gt: ""})', `query($id: ID!) { team(id: $id) { id } }`, () => ({ id: { $gt: '' } })],
    ['createTeam with name {$ne: ""}', `mutation($name: String!) { createTeam(input: { name: $name }) { id } }`, () => ({ name: { $ne: '' } })],
  ])('%s is refused', async (_name, query, variables) => {
    const response = await stack.query(query, variables());
    expect(response.status).toBeLessThan(500);
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(response.body.errors?.[0]?.extensions?.code);
    expect(Object.values(response.body.data ?? {}).every((value) => value === null)).toBe(true);
  });

  test('operator-looking text is stored as text, and matches nothing else', async () => {
    const name = '$where: function() { return true }';
    const created = expectNoErrors(await stack.query<{ createTeam: { id: string; name: string } }>(`mutation($name: String!) { createTeam(input: { name: $name }) { id name } }`, { name }));
    expect(created.createTeam.name).toBe(name);
    const read = expectNoErrors(await stack.query<{ team: { name: string } }>(`query($id: ID!) { team(id: $id) { name } }`, { id: created.createTeam.id }));
    expect(read.team.name).toBe(name);
    // An email that is valid and full of $ is just an unknown account.
    expectError(await login('$ne@$gt.io', TEST_PASSWORD), 'UNAUTHENTICATED');
  });
});
