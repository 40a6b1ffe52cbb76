import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isId } from '../validate';
import { invalidCredentials, USER_ROLES, type UserRole } from './identity';
import type { RevocationList } from './RevocationList';
import { VerifiedTokenCache } from './VerifiedTokenCache';

/**
 * Access tokens are short-lived JWTs signed with Ed25519 (EdDSA) by the users service alone; every
 * other service and the gateway hold only the public key, so a token can be verified anywhere and
 * minted nowhere else. The algorithm is fixed on both sides (no `alg: none`, no key confusion).
 */
const ALGORITHM = 'EdDSA';
const ISSUER = 'schemaflow-users';
const AUDIENCE = 'schemaflow';
/**
 * Our own claim: when the token was issued, in milliseconds. `iat` has whole seconds only, so a
 * token issued in the same second as a revocation could not be told from one issued before it.
 */
const ISSUED_AT_MS = 'iat_ms';
/** How far the verifiers' clocks may be off the issuer's (seconds). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** PEM from the environment, where newlines are often written as "\n". */
function pem(text: string): string {
  return text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
}

export function privateKeyFrom(text: string): KeyObject {
  const key = createPrivateKey(pem(text));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('JWT_PRIVATE_KEY must be an Ed25519 private key (PKCS#8 PEM)');
  return key;
}

/**
 * Only a public key: a private key given here by mistake would hand the signing key to every
 * service, so it is refused rather than quietly turned into its public half.
 */
export function publicKeyFrom(text: string): KeyObject {
  if (/PRIVATE KEY/.test(text)) throw new Error('JWT_PUBLIC_KEY holds a private key; give the public key (SPKI PEM)');
  const key = createPublicKey(pem(text));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('JWT_PUBLIC_KEY must be an Ed25519 public key (SPKI PEM)');
  return key;
}

/** A new Ed25519 key pair as PEM, for development (npm start) and tests. */
export function generateSigningKeys(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface AccessClaims {
  userId: string;
  role: UserRole;
}

export interface VerifiedAccess extends AccessClaims {
  /** When the token was issued (ms): `iat_ms`, or the start of its `iat` second for a token without one. */
  issuedAt: number;
}

export class AccessTokenIssuer {
  constructor(
    private readonly privateKey: KeyObject,
    /** Lifetime in seconds. */
    readonly ttlSeconds: number,
  ) {}

  /**
   * `issuedAt` (ms, default now): the instant the claims were read, which may be before signing, so
   * that a revocation committed in between refuses the token (see Accounts.startSession).
   */
  sign(claims: AccessClaims, issuedAt = Date.now()): Promise<string> {
    const seconds = Math.floor(issuedAt / 1000);
    return new SignJWT({ role: claims.role, [ISSUED_AT_MS]: issuedAt })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + this.ttlSeconds)
      .sign(this.privateKey);
  }
}

/**
 * `iat_ms` when it is consistent with `iat` (within that second); otherwise the start of the `iat`
 * second, the earliest instant the token may have been issued at, so a revocation in the same
 * second refuses it rather than letting it through.
 */
function issuedAtOf(payload: { iat?: number; [claim: string]: unknown }): number {
  const seconds = payload.iat!;
  const ms = payload[ISSUED_AT_MS];
  return typeof ms === 'number' && Number.isInteger(ms) && Math.floor(ms / 1000) === seconds ? ms : seconds * 1000;
}

/** How many verified access tokens each verifier remembers (lib/auth/VerifiedTokenCache.ts): a few MB at most. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export class AccessTokenVerifier {
  private readonly verified: VerifiedTokenCache<VerifiedAccess>;
  private readonly now: () => number;

  constructor(
    private readonly publicKey: KeyObject,
    /** Ended sessions: a token issued at or before its user's entry is refused. */
    private readonly revocations?: RevocationList,
    options: {
      /** Verified tokens remembered until they expire (0: verify every time). */
      cacheSize?: number;
      /** The clock (ms), for tests. */
      now?: () => number;
    } = {},
  ) {
    this.verified = new VerifiedTokenCache(options.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE, CLOCK_TOLERANCE_SECONDS);
    this.now = options.now ?? Date.now;
  }

  /**
   * The token's claims, or an UNAUTHENTICATED error saying why it is refused (never which check
   * leaked what). The signature and claims of a token seen before are not checked again while it
   * lives; its user's revocations are, on every call.
   */
  async verify(token: string): Promise<VerifiedAccess> {
    const now = this.now();
    const access = this.verified.get(token, now) ?? (await this.verifyToken(token, now));
    if (this.revocations?.refuses(access.userId, access.issuedAt)) {
      throw invalidCredentials('the session has ended or the account has changed; refresh the session or sign in again');
    }
    return access;
  }

  private async verifyToken(token: string, now: number): Promise<VerifiedAccess> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(now),
      });
      const role = payload.role;
      if (!isId(payload.sub) || typeof role !== 'string' || !USER_ROLES.includes(role as UserRole)) {
        throw invalidCredentials('the access token is malformed');
      }
      const access: VerifiedAccess = Object.freeze({ userId: payload.sub, role: role as UserRole, issuedAt: issuedAtOf(payload) });
      this.verified.set(token, access, payload.exp!);
      return access;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw invalidCredentials('the access token has expired');
      if ((error as { extensions?: { code?: unknown } }).extensions?.code === 'UNAUTHENTICATED') throw error;
      throw invalidCredentials('the access token is not valid');
    }
  }
}
