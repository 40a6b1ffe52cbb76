/**
 * Access tokens whose signature and claims were verified, by their exact text, until they expire:
 * every hop of a request (the gateway, then each service it calls) and every request of a client
 * sends the same token again, and an Ed25519 verification is the dearest part of reading one.
 * A hit is the same bytes that passed verification, so it proves what they proved; what can change
 * while a token lives (its user's sessions ending) is not cached: the revocation list is consulted
 * on every request, hit or not (lib/auth/accessTokens.ts).
 *
 * Bounded by count (least recently used first out), since the tokens are the callers'; a token
 * that fell out is verified again. Only verified tokens are kept, so garbage never fills it.
 */
export class VerifiedTokenCache<T> {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    /** How many tokens are kept at most. */
    readonly maxEntries: number,
    /** Seconds past `exp` a token is still accepted (the verifiers' clock tolerance). */
    private readonly toleranceSeconds: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new Error('maxEntries must be a whole number of at least 0');
  }

  /** The token's verified claims while it is unexpired at `now` (ms), else undefined (and it goes). */
  get(token: string, now: number): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    // The same test as jose's: `exp` must be later than now minus the tolerance, in whole seconds.
    if (entry.expiresAt <= Math.floor(now / 1000) - this.toleranceSeconds) return undefined;
    this.entries.set(token, entry);
    return entry.value;
  }

  /** Keeps a token that just passed verification; `expiresAt` is its `exp` claim (seconds). */
  set(token: string, value: T, expiresAt: number): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(token);
    this.entries.set(token, { value, expiresAt });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
