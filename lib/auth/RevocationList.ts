/**
 * One user's ended sessions: every access token of theirs issued at or before `notBefore` is
 * refused. `expiresAt` is when the last such token expires (notBefore + the access-token lifetime
 * + the verifiers' clock tolerance): from then on the entry refuses nothing and can go.
 */
export interface SessionRevocation {
  userId: string;
  /** Milliseconds since the epoch. */
  notBefore: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * The revocations a process knows of (userId → notBefore), kept in memory and consulted for every
 * access token (lib/auth/accessTokens.ts): the check is a map lookup, no request to anyone. It is
 * filled by the `user.access-changed` events (lib/auth/revocationEvents.ts) and, at start, from
 * the users service's recent revocations.
 *
 * Bounded by time rather than by count: an entry lives only until no token it refuses can still
 * be valid (`expiresAt`), so the map holds at most the revocations of one access-token lifetime.
 * Dropping a live entry to save space would let a revoked token through again, so there is no
 * count limit; each entry is a few dozen bytes.
 */
export class RevocationList {
  private readonly entries = new Map<string, { notBefore: number; expiresAt: number }>();
  /** The earliest expiry among the entries: nothing to sweep before it. */
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Records a revocation; applying one twice, or an older one after a newer, changes nothing
   * (events arrive at least once and in any order). False when it changed nothing.
   */
  revoke(revocation: SessionRevocation): boolean {
    this.sweep();
    if (revocation.expiresAt <= this.now()) return false;
    const known = this.entries.get(revocation.userId);
    if (known && known.notBefore >= revocation.notBefore && known.expiresAt >= revocation.expiresAt) return false;
    const entry = {
      notBefore: Math.max(known?.notBefore ?? revocation.notBefore, revocation.notBefore),
      expiresAt: Math.max(known?.expiresAt ?? revocation.expiresAt, revocation.expiresAt),
    };
    this.entries.set(revocation.userId, entry);
    this.nextExpiry = Math.min(this.nextExpiry, entry.expiresAt);
    return true;
  }

  /**
   * Whether a token of `userId` issued at `issuedAt` (ms) is refused. A token issued in the very
   * millisecond of the revocation is refused too: which came first cannot be told, and refusing
   * only costs the client a refresh (the issuer makes sure that a token issued after the change
   * carries a later instant; see subgraphs/users/store.ts).
   */
  refuses(userId: string, issuedAt: number): boolean {
    const entry = this.entries.get(userId);
    if (!entry) return false;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(userId);
      return false;
    }
    return issuedAt <= entry.notBefore;
  }

  /** How many revocations are kept (after dropping the expired ones). */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  /** Drops expired entries; at most one pass per earliest expiry, so revoking stays cheap. */
  private sweep(): void {
    const now = this.now();
    if (now < this.nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [userId, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(userId);
      else next = Math.min(next, entry.expiresAt);
    }
    this.nextExpiry = next;
  }
}
