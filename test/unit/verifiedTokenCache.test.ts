import { AccessTokenIssuer, AccessTokenVerifier, CLOCK_TOLERANCE_SECONDS, generateSigningKeys, privateKeyFrom, publicKeyFrom } from '../../lib/auth/accessTokens';
import { RevocationList } from '../../lib/auth/RevocationList';
import { sessionRevocation } from '../../lib/auth/revocationEvents';
import { VerifiedTokenCache } from '../../lib/auth/VerifiedTokenCache';

const USER = '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000001';
const OTHER = '8d7c6f52-1c1e-4c5e-9a43-3f1b2a000002';
const TTL_SECONDS = 900;

describe('VerifiedTokenCache', () => {
  test('keeps a token until its exp plus the tolerance, the same instant jose stops accepting it', () => {
    const cache = new VerifiedTokenCache<string>(10, 5);
    cache.set('t', 'claims', 1_000);
    expect(cache.get('t', 1_004_999)).toBe('claims');
    expect(cache.get('t', 1_005_000)).toBeUndefined();
    // Gone for good, also if the clock went back.
    expect(cache.get('t', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache<number>(2, 0);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    expect(cache.get('a', 0)).toBe(1);
    cache.set('c', 3, 10);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe(1);
    expect(cache.get('c', 0)).toBe(3);
  });

  test('a size of 0 keeps nothing', () => {
    const cache = new VerifiedTokenCache<number>(0, 0);
    cache.set('a', 1, 10);
    expect(cache.get('a', 0)).toBeUndefined();
  });
});

describe('AccessTokenVerifier with its cache of verified tokens', () => {
  const keys = generateSigningKeys();
  const issuer = new AccessTokenIssuer(privateKeyFrom(keys.privateKey), TTL_SECONDS);
  const publicKey = publicKeyFrom(keys.publicKey);

  function verifierAt(start: number, cacheSize?: number) {
    const clock = { now: start };
    const list = new RevocationList(() => clock.now);
    return { clock, list, verifier: new AccessTokenVerifier(publicKey, list, { now: () => clock.now, cacheSize }) };
  }

  test('a cached token is refused at once when its user’s sessions end', async () => {
    const start = Date.now();
    const { list, verifier } = verifierAt(start);
    const token = await issuer.sign({ userId: USER, role: 'CUSTOMER' }, start - 1_000);
    const other = await issuer.sign({ userId: OTHER, role: 'CUSTOMER' }, start - 1_000);
    await expect(verifier.verify(token)).resolves.toEqual({ userId: USER, role: 'CUSTOMER', issuedAt: start - 1_000 });
    await verifier.verify(other);
    list.revoke(sessionRevocation(USER, new Date(start), TTL_SECONDS));
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/session has ended/) });
    await expect(verifier.verify(other)).resolves.toMatchObject({ userId: OTHER });
  });

  test('a cached token is refused once it expires', async () => {
    const start = Date.now();
    const { clock, verifier } = verifierAt(start);
    const token = await issuer.sign({ userId: USER, role: 'CUSTOMER' }, start);
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: USER });
    const exp = Math.floor(start / 1000) + TTL_SECONDS;
    clock.now = (exp + CLOCK_TOLERANCE_SECONDS) * 1000 - 1;
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: USER });
    clock.now += 1;
    await expect(verifier.verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/the access token has expired$/) });
  });

  test('a token one character off a cached one is verified (and refused), not taken for it', async () => {
    const start = Date.now();
    const { verifier } = verifierAt(start);
    const token = await issuer.sign({ userId: USER, role: 'ADMIN' }, start);
    await verifier.verify(token);
    // A character in the middle of the signature (the last one carries padding bits).
    const at = token.length - 20;
    const forged = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    await expect(verifier.verify(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/the access token is not valid$/) });
  });

  test('answers the same with the cache off, on the first call and on later ones', async () => {
    const start = Date.now();
    const cached = verifierAt(start).verifier;
    const uncached = verifierAt(start, 0).verifier;
    const token = await issuer.sign({ userId: USER, role: 'VENDOR' }, start);
    const first = await cached.verify(token);
    expect(await cached.verify(token)).toEqual(first);
    expect(await uncached.verify(token)).toEqual(first);
    expect(await uncached.verify(token)).toEqual(first);
  });
});
