import type { DomainEvent } from '../../../lib/events/DomainEvent';
import type { OutboxSource } from '../../../lib/events/OutboxRelay';
import type { MoveFollower } from '../../../lib/storeMove/MoveFollower';
import { newId } from '../../../lib/validate';
import type { LegacySession, Redemption, StoredLegacySession } from '../domain';
import type { RefreshTokenStore } from '../RefreshTokenStore';
import type { UsersData } from '../UsersData';
import { currentOutbox } from './currentOutbox';

/**
 * The refresh tokens' store while the service may be moving: like MovingUserStore. Redeeming or
 * revoking a token may revoke its whole family, so such a write touches the family's tokens (as
 * listed on the primary just before); the tokens' set-once merge keeps a token spent or revoked
 * on whichever side it was, so a token stays redeemed once across the switch.
 */
export class MovingRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly follower: MoveFollower<UsersData>) {}

  private get reads(): RefreshTokenStore {
    return this.follower.reader().refreshTokens;
  }

  private family(token: string) {
    return async (primary: UsersData) => [{ kind: 'refresh_tokens', ids: await primary.refreshTokens.familyOf(token) }];
  }

  issue(userId: string, rotation?: { familyId: string; expiresAt: Date }, events?: readonly DomainEvent[], id = newId()): Promise<string> {
    return this.follower.write([{ kind: 'refresh_tokens', ids: [id] }], (primary) => primary.refreshTokens.issue(userId, rotation, events, id));
  }

  redeem(token: string): Promise<Redemption> {
    return this.follower.write(this.family(token), (primary) => primary.refreshTokens.redeem(token));
  }

  revokeByToken(token: string, events?: (userId: string) => DomainEvent[]): Promise<boolean> {
    return this.follower.write(this.family(token), (primary) => primary.refreshTokens.revokeByToken(token, events));
  }

  familyRevoked(familyId: string): Promise<boolean> {
    return this.reads.familyRevoked(familyId);
  }

  familyEnded(familyId: string): Promise<boolean> {
    return this.reads.familyEnded(familyId);
  }

  revokeAllOf(userId: string): Promise<void> {
    return this.follower.write(
      async (primary) => [{ kind: 'refresh_tokens', ids: await primary.refreshTokens.tokenIdsOf(userId) }],
      (primary) => primary.refreshTokens.revokeAllOf(userId),
    );
  }

  familyOf(token: string): Promise<string[]> {
    return this.reads.familyOf(token);
  }

  tokenIdsOf(userId: string): Promise<string[]> {
    return this.reads.tokenIdsOf(userId);
  }

  outbox(): OutboxSource {
    return currentOutbox(() => this.follower.reader().refreshTokens.outbox());
  }

  importLegacy(fresh: readonly LegacySession[], known: readonly LegacySession[]): Promise<string[]> {
    return this.follower.write([{ kind: 'refresh_tokens', ids: [...fresh, ...known].map((session) => session.id) }], (primary) => primary.refreshTokens.importLegacy(fresh, known));
  }

  legacySessions(ids: readonly string[]): Promise<StoredLegacySession[]> {
    return this.reads.legacySessions(ids);
  }

  legacySessionsInIdOrder(): AsyncIterable<StoredLegacySession> {
    return this.reads.legacySessionsInIdOrder();
  }

  revokeByIds(ids: readonly string[]): Promise<void> {
    return this.follower.write([{ kind: 'refresh_tokens', ids: [...ids] }], (primary) => primary.refreshTokens.revokeByIds(ids));
  }

  /** On the primary only: a move copies records, never their absence (undo an import before or after a move). */
  removeByIds(ids: readonly string[]): Promise<void> {
    return this.reads.removeByIds(ids);
  }
}
