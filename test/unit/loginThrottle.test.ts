import { AppError } from '../../lib/errors';
import type { AccountsConfig } from '../../subgraphs/users/accountsConfig';
import { LoginThrottle } from '../../subgraphs/users/LoginThrottle';

/**
 * The throttle's rules, without a server (the real sign-ins through the gateway: e2e/authHardening
 * and e2e/authentication). Time is jest's fake clock.
 */
const CONFIG: AccountsConfig['login'] = {
  maxFailuresPerAccountAndAddress: 3,
  maxFailuresPerAddress: 10,
  maxFailuresPerAccount: 6,
  failureWindowSeconds: 900,
  backoffSeconds: 30,
  maxBackoffSeconds: 100,
  maxRegistrationsPerAddressPerHour: 5,
};

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** One failed login: the attempt is taken and not given back. Resolves with the refusal, if any. */
async function fail(throttle: LoginThrottle, email: string, address: string): Promise<AppError | null> {
  try {
    await throttle.attempt(email, address);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

const retryAfter = (error: AppError | null) => error?.extensions.retryAfterSeconds;

test('after the pair limit only that account and address wait; the owner elsewhere and other accounts go on', async () => {
  const throttle = new LoginThrottle(CONFIG);
  for (let i = 0; i < 3; i++) expect(await fail(throttle, 'owner@x.test', '10.0.0.66')).toBeNull();
  const refused = await fail(throttle, 'owner@x.test', '10.0.0.66');
  expect(refused?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
  expect(refused?.message).toBe('too many failed logins for this account from this address; try again in 30 seconds');
  await expect(throttle.attempt('owner@x.test', '192.168.1.5')).resolves.toBeUndefined();
  await expect(throttle.attempt('other@x.test', '10.0.0.66')).resolves.toBeUndefined();
});

test('the wait doubles each time the pair runs out again, up to the maximum', async () => {
  const throttle = new LoginThrottle({ ...CONFIG, maxFailuresPerAccount: 100, maxFailuresPerAddress: 100 });
  const waits: unknown[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 3; i++) expect(await fail(throttle, 'a@x.test', '10.0.0.1')).toBeNull();
    const refused = await fail(throttle, 'a@x.test', '10.0.0.1');
    waits.push(retryAfter(refused));
    // Asking again during the wait is told what is left of it, not a new one.
    jest.advanceTimersByTime(5_000);
    expect(retryAfter(await fail(throttle, 'a@x.test', '10.0.0.1'))).toBe((refused!.extensions.retryAfterSeconds as number) - 5);
    jest.advanceTimersByTime((refused!.extensions.retryAfterSeconds as number) * 1000);
  }
  expect(waits).toEqual([30, 60, 100, 100]);
});

test('a success clears its pair: failures must be consecutive, and the backoff starts afresh', async () => {
  const throttle = new LoginThrottle(CONFIG);
  for (let i = 0; i < 3; i++) await fail(throttle, 'b@x.test', '10.0.0.2');
  expect(retryAfter(await fail(throttle, 'b@x.test', '10.0.0.2'))).toBe(30);
  jest.advanceTimersByTime(30_000);
  await throttle.attempt('b@x.test', '10.0.0.2');
  await throttle.succeeded('b@x.test', '10.0.0.2');
  for (let i = 0; i < 3; i++) expect(await fail(throttle, 'b@x.test', '10.0.0.2')).toBeNull();
  expect(retryAfter(await fail(throttle, 'b@x.test', '10.0.0.2'))).toBe(30);
});

test('guesses spread over many addresses reach the per-account backstop: a wait, not a lock', async () => {
  const throttle = new LoginThrottle(CONFIG);
  for (const address of ['10.1.0.1', '10.1.0.2']) for (let i = 0; i < 3; i++) expect(await fail(throttle, 'c@x.test', address)).toBeNull();
  const refused = await fail(throttle, 'c@x.test', '10.1.0.3');
  expect(refused?.message).toMatch(/^too many failed logins for this account; try again in 30 seconds$/);
  jest.advanceTimersByTime(30_000);
  await expect(throttle.attempt('c@x.test', '10.1.0.3')).resolves.toBeUndefined();
});

test('one address trying many accounts reaches the per-address limit', async () => {
  const throttle = new LoginThrottle(CONFIG);
  for (let i = 0; i < 10; i++) expect(await fail(throttle, `user${i}@x.test`, '10.2.0.1')).toBeNull();
  expect((await fail(throttle, 'user10@x.test', '10.2.0.1'))?.message).toMatch(/^too many failed logins from this address/);
  await expect(throttle.attempt('user10@x.test', '10.2.0.2')).resolves.toBeUndefined();
});

test('a refused attempt costs nothing elsewhere: the pair refusing gives back nothing it did not take', async () => {
  const throttle = new LoginThrottle({ ...CONFIG, maxFailuresPerAccount: 4 });
  for (let i = 0; i < 3; i++) await fail(throttle, 'd@x.test', '10.3.0.1');
  for (let i = 0; i < 20; i++) await fail(throttle, 'd@x.test', '10.3.0.1'); // all refused by the pair
  // The account has 3 failures against it, not 23: one more address still gets its attempt.
  await expect(throttle.attempt('d@x.test', '10.3.0.2')).resolves.toBeUndefined();
});

test('parallel attempts are counted as they arrive', async () => {
  const throttle = new LoginThrottle(CONFIG);
  const results = await Promise.all(Array.from({ length: 20 }, () => fail(throttle, 'e@x.test', '10.4.0.1')));
  expect(results.filter((result) => result === null)).toHaveLength(3);
  expect(results.filter((result) => result?.extensions.code === 'RATE_LIMITED')).toHaveLength(17);
});

test('check() refuses a sign-in that is waiting now, and takes nothing from anyone', async () => {
  const throttle = new LoginThrottle({ ...CONFIG, maxFailuresPerAccount: 4 });
  await expect(throttle.check('f@x.test', '10.5.0.1')).resolves.toBeUndefined();
  for (let i = 0; i < 3; i++) await fail(throttle, 'f@x.test', '10.5.0.1');
  await fail(throttle, 'f@x.test', '10.5.0.1'); // refused: the pair waits now
  for (let i = 0; i < 10; i++) await expect(throttle.check('f@x.test', '10.5.0.1')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 30 } });
  // Checks took nothing: the account still has its fourth attempt, from another address.
  await expect(throttle.check('f@x.test', '10.5.0.2')).resolves.toBeUndefined();
  await expect(throttle.attempt('f@x.test', '10.5.0.2')).resolves.toBeUndefined();
});
