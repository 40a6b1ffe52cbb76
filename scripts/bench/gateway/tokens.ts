import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mintToken } from '../../../test/support/tokens';

/** Long enough for any benchmark run (the tokens are the benchmark's own, signed with its own key). */
const LIFETIME_SECONDS = 12 * 3600;

/**
 * Access tokens as the users service signs them (EdDSA, its issuer and audience), for the given
 * subjects, `copies` per subject, each copy with another issue time so that no two are alike.
 */
export async function mintAccessTokens(privateKey: string, subjects: readonly string[], copies = 1): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const sub of subjects) tokens.push(await mintToken(privateKey, { sub, role: 'CUSTOMER', iat: now - copy, exp: now + LIFETIME_SECONDS }));
  }
  return tokens;
}

/** `count` tokens of `count` different (made-up) users. */
export function mintDistinctTokens(privateKey: string, count: number): Promise<string[]> {
  return mintAccessTokens(privateKey, Array.from({ length: count }, () => randomUUID()));
}

/** One token a line, as rotateTokens.lua reads them. */
export function writeTokensFile(file: string, tokens: readonly string[]): void {
  writeFileSync(file, `${tokens.join('\n')}\n`);
}
