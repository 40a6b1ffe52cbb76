import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** When the signer made the signature, epoch milliseconds. */
export const SIGNATURE_TIMESTAMP_HEADER = 'x-signature-timestamp';
/** `v1=<hex HMAC-SHA256>` over the canonical request (see `canonical`). */
export const SIGNATURE_HEADER = 'x-signature';
/**
 * Headers whose values the signature covers besides method, path, timestamp and body: what a
 * subgraph believes only from a signed request (`x-client-ip`), and the credential it acts for,
 * so a captured signed request cannot be replayed with another address or token.
 */
export const SIGNED_HEADERS = ['x-client-ip', 'authorization'] as const;
/** How far a signature's timestamp may be from the verifier's clock, either way (replays after it are refused). */
export const REPLAY_WINDOW_MS = 60_000;
/** The shortest secret accepted: 32 characters (the generated ones are 64 hex digits, 256 bits). */
export const MIN_SECRET_LENGTH = 32;

const VERSION = 'v1';

/** What a signature is computed over: the parts of an HTTP request that say what it does. */
export interface SignedParts {
  method: string;
  /** The request target as sent: path and query (`/graphql`). */
  path: string;
  body: string | Buffer;
  /** Lower-case header names; only `SIGNED_HEADERS` are read. */
  headers: Record<string, string | string[] | undefined>;
}

/** A new random secret for INTERNAL_SIGNING_SECRET (npm start and the tests make one). */
export function generateSigningSecret(): string {
  return randomBytes(32).toString('hex');
}

function headerValue(value: string | string[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Signs and verifies requests between the gateway and the services with a secret they share
 * (HMAC-SHA256 over method, path, a timestamp, the SHA-256 of the body and `SIGNED_HEADERS`). A
 * request that verifies comes from a process holding the secret: only such requests may name the
 * client's address or ask the federation-internal fields (`_entities`, `_service`,
 * `_teamTokenIdentity`). Nonces are not kept: a replay is possible only within the window and
 * only of the very same request (same body, same credential, same address).
 */
export class RequestSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < MIN_SECRET_LENGTH) throw new Error(`the request signing secret must be at least ${MIN_SECRET_LENGTH} characters`);
    this.key = Buffer.from(secret, 'utf8');
  }

  /** The headers to add to a request made of `parts`. */
  sign(parts: SignedParts, now = Date.now()): Record<string, string> {
    const timestamp = String(now);
    return { [SIGNATURE_TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `${VERSION}=${this.mac(parts, timestamp).toString('hex')}` };
  }

  /** Whether `parts` carry a valid signature made within the replay window. */
  verify(parts: SignedParts, now = Date.now()): boolean {
    const timestamp = headerValue(parts.headers[SIGNATURE_TIMESTAMP_HEADER]);
    const signature = headerValue(parts.headers[SIGNATURE_HEADER]);
    if (!/^\d{1,16}$/.test(timestamp) || !signature.startsWith(`${VERSION}=`)) return false;
    if (Math.abs(now - Number(timestamp)) > REPLAY_WINDOW_MS) return false;
    const given = Buffer.from(signature.slice(VERSION.length + 1), 'hex');
    const expected = this.mac(parts, timestamp);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(parts: SignedParts, timestamp: string): Buffer {
    const bodyHash = createHash('sha256').update(parts.body).digest('hex');
    const canonical = [VERSION, parts.method.toUpperCase(), parts.path, timestamp, bodyHash, ...SIGNED_HEADERS.map((name) => headerValue(parts.headers[name]))].join('\n');
    return createHmac('sha256', this.key).update(canonical).digest();
  }
}
