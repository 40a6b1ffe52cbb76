import { AccessTokenIssuer, AccessTokenVerifier, generateSigningKeys, privateKeyFrom, publicKeyFrom } from '../../lib/auth/accessTokens';
import { RevocationList } from '../../lib/auth/RevocationList';
import { accessChangedEvent, revocationOf, sessionRevocation } from '../../lib/auth/revocationEvents';
import { domainEvent } from '../../lib/events/DomainEvent';
import { mintToken } from '../support/tokens';

const USER = '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000001';
const OTHER = '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000002';

/** A list on a clock the test moves. */
function listAt(start: number) {
  const clock = { now: start };
  return { clock, list: new RevocationList(() => clock.now) };
}

describe('RevocationList', () => {
  test('refuses tokens issued at or before notBefore, and only that user’s', () => {
    const { list } = listAt(1_000_000);
    list.revoke({ userId: USER, notBefore: 1_000_000, expiresAt: 2_000_000 });
    expect(list.refuses(USER, 999_999)).toBe(true);
    expect(list.refuses(USER, 1_000_000)).toBe(true);
    expect(list.refuses(USER, 1_000_001)).toBe(false);
    expect(list.refuses(OTHER, 999_999)).toBe(false);
  });

  test('a later revocation moves notBefore forward; an older or repeated one changes nothing', () => {
    const { list } = listAt(1_000_000);
    expect(list.revoke({ userId: USER, notBefore: 1_000_500, expiresAt: 2_000_500 })).toBe(true);
    expect(list.revoke({ userId: USER, notBefore: 1_000_500, expiresAt: 2_000_500 })).toBe(false);
    expect(list.revoke({ userId: USER, notBefore: 1_000_100, expiresAt: 2_000_100 })).toBe(false);
    expect(list.refuses(USER, 1_000_400)).toBe(true);
    expect(list.revoke({ userId: USER, notBefore: 1_000_900, expiresAt: 2_000_900 })).toBe(true);
    expect(list.refuses(USER, 1_000_800)).toBe(true);
    expect(list.refuses(USER, 1_000_901)).toBe(false);
  });

  test('bounded by time: an entry goes once every token it refuses has expired', () => {
    const { clock, list } = listAt(1_000_000);
    for (let i = 0; i < 1_000; i++) {
      list.revoke({ userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, notBefore: clock.now, expiresAt: clock.now + 60_000 });
      clock.now += 10;
    }
    expect(list.size).toBe(1_000);
    // Half of them are past their expiry now.
    clock.now = 1_000_000 + 60_000 + 4_995;
    expect(list.size).toBe(500);
    clock.now += 5_000;
    expect(list.size).toBe(0);
    // An expired entry refuses nothing, even before a sweep.
    list.revoke({ userId: USER, notBefore: clock.now, expiresAt: clock.now + 1_000 });
    clock.now += 1_000;
    expect(list.refuses(USER, 0)).toBe(false);
  });

  test('a revocation that has already expired is not kept', () => {
    const { list } = listAt(5_000_000);
    expect(list.revoke({ userId: USER, notBefore: 1_000_000, expiresAt: 2_000_000 })).toBe(false);
    expect(list.size).toBe(0);
    expect(list.refuses(USER, 0)).toBe(false);
  });

  test('the event carries the revocation, kept for the token lifetime plus the clock tolerance', () => {
    const notBefore = new Date('2026-12-01T10:00:00.123Z');
    const revocation = sessionRevocation(USER, notBefore, 900);
    expect(revocation).toEqual({ userId: USER, notBefore: notBefore.getTime(), expiresAt: notBefore.getTime() + 905_000 });
    const event = accessChangedEvent(revocation, 'role-changed', 'CUSTOMER');
    expect(event.payload).toEqual({ userId: USER, notBefore: '2026-12-01T10:00:00.123Z', expiresAt: '2026-12-01T10:15:05.123Z', reason: 'role-changed', role: 'CUSTOMER' });
    expect(revocationOf(JSON.parse(JSON.stringify(event)))).toEqual(revocation);
  });

  test('an event without a valid user id or instant is refused (it would be dead-lettered)', () => {
    expect(() => revocationOf(domainEvent('users', 'user.access-changed', { userId: 'nope', notBefore: '2026-12-01T10:00:00Z', expiresAt: '2026-12-01T10:15:00Z' }))).toThrow(/userId/);
    expect(() => revocationOf(domainEvent('users', 'user.access-changed', { userId: USER, notBefore: 'soon', expiresAt: '2026-12-01T10:15:00Z' }))).toThrow(/notBefore/);
  });
});

describe('access tokens and the revocation list: the same second', () => {
  const keys = generateSigningKeys();
  const issuer = new AccessTokenIssuer(privateKeyFrom(keys.privateKey), 900);

  test('within one second, a token issued before the revocation is refused and one issued after it is not', async () => {
    const second = Math.floor(Date.now() / 1000) * 1000;
    const list = new RevocationList();
    const verifier = new AccessTokenVerifier(publicKeyFrom(keys.publicKey), list);
    const before = await issuer.sign({ userId: USER, role: 'ADMIN' }, second + 100);
    const after = await issuer.sign({ userId: USER, role: 'CUSTOMER' }, second + 600);
    list.revoke(sessionRevocation(USER, new Date(second + 500), 900));
    await expect(verifier.verify(before)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } }, message: expect.stringMatching(/session has ended/) });
    await expect(verifier.verify(after)).resolves.toEqual({ userId: USER, role: 'CUSTOMER', issuedAt: second + 600 });
  });

  test('a token without our millisecond claim counts from the start of its second: refused by a revocation later in that second', async () => {
    const seconds = Math.floor(Date.now() / 1000);
    const list = new RevocationList();
    const verifier = new AccessTokenVerifier(publicKeyFrom(keys.publicKey), list);
    const plain = await mintToken(keys.privateKey, { sub: USER, role: 'ADMIN', iat: seconds });
    expect(await verifier.verify(plain)).toMatchObject({ issuedAt: seconds * 1000 });
    list.revoke(sessionRevocation(USER, new Date(seconds * 1000 + 999), 900));
    await expect(verifier.verify(plain)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  test('a millisecond claim that contradicts iat is not believed', async () => {
    const seconds = Math.floor(Date.now() / 1000);
    const list = new RevocationList();
    const verifier = new AccessTokenVerifier(publicKeyFrom(keys.publicKey), list);
    const { SignJWT } = await import('jose');
    const lying = await new SignJWT({ role: 'ADMIN', iat_ms: (seconds + 60) * 1000 })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setSubject(USER)
      .setIssuer('schemaflow-users')
      .setAudience('schemaflow')
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 600)
      .sign(privateKeyFrom(keys.privateKey));
    list.revoke(sessionRevocation(USER, new Date(seconds * 1000 + 10), 900));
    await expect(verifier.verify(lying)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });

  test('an expired revocation no longer refuses', async () => {
    const clock = { now: Date.now() };
    const list = new RevocationList(() => clock.now);
    const verifier = new AccessTokenVerifier(publicKeyFrom(keys.publicKey), list);
    const token = await issuer.sign({ userId: USER, role: 'ADMIN' }, clock.now - 10);
    list.revoke(sessionRevocation(USER, new Date(clock.now), 900));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    clock.now += 906_000;
    expect(list.refuses(USER, clock.now - 906_010)).toBe(false);
  });
});
