import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isId } from '../validate';
import { invalidCredentials, USER_ROLES, type UserRole } from './identity';

/**
 * Access tokens are short-lived JWTs signed with Ed25519 (EdDSA) by the users service alone; every
 * other service and the gateway hold only the public key, so a token can be verified anywhere and
 * minted nowhere else. The algorithm is fixed on both sides (no `alg: none`, no key confusion).
 */
const ALGORITHM = 'EdDSA';
const ISSUER = 'schemaflow-users';
const AUDIENCE = 'schemaflow';

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

export class AccessTokenIssuer {
  constructor(
    private readonly privateKey: KeyObject,
    /** Lifetime in seconds. */
    readonly ttlSeconds: number,
  ) {}

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.privateKey);
  }
}

export class AccessTokenVerifier {
  constructor(private readonly publicKey: KeyObject) {}

  /** The token's claims, or an UNAUTHENTICATED error saying why it is refused (never which check leaked what). */
  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const role = payload.role;
      if (!isId(payload.sub) || typeof role !== 'string' || !USER_ROLES.includes(role as UserRole)) {
        throw invalidCredentials('the access token is malformed');
      }
      return { userId: payload.sub, role: role as UserRole };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw invalidCredentials('the access token has expired');
      if ((error as { extensions?: { code?: unknown } }).extensions?.code === 'UNAUTHENTICATED') throw error;
      throw invalidCredentials('the access token is not valid');
    }
  }
}
