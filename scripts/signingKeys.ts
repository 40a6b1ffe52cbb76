import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeys } from '../lib/auth/accessTokens';
import { generateSigningSecret } from '../lib/auth/RequestSigner';

/**
 * The access-token signing key pair for `npm start`, made once and kept under DATA_DIR/keys (the
 * private key readable by its owner only), so sessions survive a restart. In production the users
 * service gets JWT_PRIVATE_KEY and every service JWT_PUBLIC_KEY from a secret store instead.
 */
export function ensureSigningKeys(dataDir: string): { privateKey: string; publicKey: string } {
  const dir = join(dataDir, 'keys');
  const privateFile = join(dir, 'access-tokens.ed25519.pem');
  const publicFile = join(dir, 'access-tokens.ed25519.pub.pem');
  if (existsSync(privateFile) && existsSync(publicFile)) {
    return { privateKey: readFileSync(privateFile, 'utf8'), publicKey: readFileSync(publicFile, 'utf8') };
  }
  mkdirSync(dir, { recursive: true });
  const keys = generateSigningKeys();
  writeFileSync(privateFile, keys.privateKey, { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  writeFileSync(publicFile, keys.publicKey);
  return keys;
}

/**
 * The secret the gateway and the services sign their requests to each other with
 * (INTERNAL_SIGNING_SECRET), made once beside the access-token keys and readable by its owner
 * only. In production every service gets it from the secret store instead.
 */
export function ensureInternalSigningSecret(dataDir: string): string {
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'internal-signing.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = generateSigningSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
