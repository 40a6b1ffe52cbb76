import { ANONYMOUS_REQUEST, createUser, expectNoErrors } from '../support/fixtures';
import { startStack, TEST_ACCOUNTS, TEST_PASSWORD, type Stack } from '../support/stack';

/**
 * A storm of sign-ins (each an Argon2 verification) from one address, as a busy office behind one
 * NAT makes, with a few wrong passwords among them: it slows sign-ins down, not everyone else's
 * lookups, and the right passwords get in. The login limits are the production defaults here.
 */
let stack: Stack;
const emails: string[] = [];
let lookupId: string;

beforeAll(async () => {
  stack = await startStack({
    accounts: {
      login: { ...TEST_ACCOUNTS.login, maxFailuresPerAddress: 50, maxFailuresPerAccountAndAddress: 5 },
      // Room for the whole storm in the hashing queue: this is about the throttle (the queue's bound: below).
      hashing: { concurrency: 2, queue: 200 },
    },
  });
  for (let i = 0; i < 9; i++) {
    const id = await createUser(stack, `Storm ${i}`);
    const { user } = expectNoErrors(await stack.query<{ user: { email: string } }>(`query($id: ID!) { user(id: $id) { email } }`, { id }));
    emails.push(user.email);
  }
  lookupId = await createUser(stack, 'Looked Up');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const LOOKUP = `query($id: ID!) { user(id: $id) { name } }`;

test('120 sign-ins at once from one address: every right password gets in, wrong ones are only wrong, and lookups keep answering', async () => {
  const lookups: { ms: number; ok: boolean }[] = [];
  let storming = true;
  const lookingUp = (async () => {
    while (storming) {
      const started = Date.now();
      const response = await stack.query<{ user: { name: string } }>(LOOKUP, { id: lookupId });
      lookups.push({ ms: Date.now() - started, ok: response.status === 200 && !response.body.errors && response.body.data?.user.name === 'Looked Up' });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const right = emails.flatMap((email) => Array.from({ length: 11 }, () => ({ email, password: TEST_PASSWORD })));
  const wrong = Array.from({ length: 21 }, (_, i) => ({ email: `nobody.${i}@storm.test`, password: 'not the password' }));
  const attempts = [...right, ...wrong].map(async (input) => ({
    right: input.password === TEST_PASSWORD,
    response: await stack.query<{ login: { accessToken: string } | null }>(LOGIN, { input }, ANONYMOUS_REQUEST),
  }));
  const results = await Promise.all(attempts);
  storming = false;
  await lookingUp;

  const codes = (wanted: boolean) => results.filter((result) => result.right === wanted).map((result) => result.response.body.errors?.[0]?.extensions?.code ?? 'OK');
  expect(codes(true)).toEqual(right.map(() => 'OK'));
  expect(codes(false)).toEqual(wrong.map(() => 'UNAUTHENTICATED'));
  expect(lookups.length).toBeGreaterThan(0);
  expect(lookups.filter((lookup) => !lookup.ok)).toEqual([]);
  // Generous: the point is that they answer, not how fast (npm run bench:signins measures that);
  // CI runs this beside other heavy test files on two cores.
  expect(Math.max(...lookups.map((lookup) => lookup.ms))).toBeLessThan(15_000);
}, 120_000);

test('beyond the hashing queue a sign-in is refused at once with SERVICE_UNAVAILABLE and retryAfterSeconds, never RATE_LIMITED', async () => {
  const small = await startStack({ accounts: { hashing: { concurrency: 1, queue: 4 } } });
  try {
    const email = `queued.${Date.now()}@storm.test`;
    expectNoErrors(
      await small.query(`mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`, { input: { email, password: TEST_PASSWORD, name: 'Queued' } }, ANONYMOUS_REQUEST),
    );
    // Sixty at once against one hash at a time and four waiting: on a quiet machine a hash is
    // quick enough that thirty arriving over the gateway's hops could all be served (seen once).
    const STORM = 60;
    const results = await Promise.all(Array.from({ length: STORM }, () => small.query(LOGIN, { input: { email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST)));
    const errors = results.map((result) => result.body.errors?.[0]?.extensions).filter(Boolean);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThan(STORM);
    for (const extensions of errors) expect(extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
    // The storm over, the same sign-in goes through.
    expectNoErrors(await small.query(LOGIN, { input: { email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST));
  } finally {
    await small.stop();
  }
}, 120_000);
