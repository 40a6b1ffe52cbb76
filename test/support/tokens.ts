import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';

/**
 * Access tokens that must be refused, minted the way an attacker (or a clock) would: each differs
 * from a good token in one way. `stack.keys` supplies the real keys where the point is that only
 * one thing is wrong.
 */
export const ISSUER = 'schemaflow-users';
export const AUDIENCE = 'schemaflow';

export interface Claims {
  sub: string;
  role?: string;
  iss?: string;
  aud?: string;
  /** Seconds since the epoch. */
  iat?: number;
  /** null: no `exp` claim at all. */
  exp?: number | null;
}

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function payloadOf(claims: Claims): Record<string, unknown> {
  return {
    role: claims.role ?? 'CUSTOMER',
    sub: claims.sub,
    iss: claims.iss ?? ISSUER,
    aud: claims.aud ?? AUDIENCE,
    iat: claims.iat ?? now(),
    ...(claims.exp === null ? {} : { exp: claims.exp ?? now() + 600 }),
  };
}

/** A correctly signed EdDSA token with whatever claims are given (e.g. an `exp` in the past). */
export function mintToken(privateKeyPem: string, claims: Claims, header: Record<string, unknown> = {}): Promise<string> {
  const { role, ...registered } = payloadOf(claims);
  return new SignJWT({ role, ...registered })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', ...header })
    .sign(createPrivateKey(privateKeyPem));
}

/** Signed with an Ed25519 key the stack has never seen. */
export function foreignKeyToken(claims: Claims): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  return mintToken(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), claims);
}

/** Signed with an attacker's key that the token itself carries in its header (`jwk`), hoping the verifier trusts it. */
export async function embeddedJwkToken(claims: Claims): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = await exportJWK(publicKey);
  return mintToken(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), claims, { jwk });
}

/** `alg: none`, no signature. */
export function unsignedToken(claims: Claims): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payloadOf(claims))}.`;
}

/** Key confusion: HS256 with the (public) verification key's bytes as the HMAC secret. */
export function hs256WithPublicKey(publicKeyPem: string, claims: Claims, form: 'pem' | 'der' = 'pem'): Promise<string> {
  const secret =
    form === 'pem'
      ? new TextEncoder().encode(publicKeyPem)
      : new Uint8Array(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
  const { role, ...registered } = payloadOf(claims);
  return new SignJWT({ role, ...registered }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
}

/** A real token whose payload is changed (e.g. `role: 'ADMIN'`) while keeping the original signature. */
export function tamperedToken(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${b64url({ ...claims, ...changes })}.${signature}`;
}

/** The claims of a token, unverified (to build tampered copies of it). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
