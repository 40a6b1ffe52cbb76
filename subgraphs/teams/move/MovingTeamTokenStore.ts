import type { TeamTokenIdentity } from '../../../lib/auth/authenticator';
import type { AuditFor } from '../../../lib/events/audit';
import type { OutboxSource } from '../../../lib/events/OutboxRelay';
import type { MoveFollower } from '../../../lib/storeMove/MoveFollower';
import { newId } from '../../../lib/validate';
import type { TeamToken } from '../domain';
import type { TeamsData } from '../TeamsData';
import type { TeamTokenStore } from '../TeamTokenStore';

/**
 * The team tokens' store while the service may be moving: like MovingTeamStore. A token's team
 * is mirrored before the token (PostgreSQL's foreign key wants it there first).
 */
export class MovingTeamTokenStore implements TeamTokenStore {
  constructor(private readonly follower: MoveFollower<TeamsData>) {}

  create(teamId: string, name: string, createdBy: string, audit: AuditFor, id = newId()): Promise<{ token: string; record: TeamToken }> {
    return this.follower.write(
      [
        { kind: 'teams', ids: [teamId] },
        { kind: 'team_tokens', ids: [id] },
      ],
      (primary) => primary.tokens.create(teamId, name, createdBy, audit, id),
    );
  }

  listByTeam(teamId: string): Promise<TeamToken[]> {
    return this.follower.reader().tokens.listByTeam(teamId);
  }

  revoke(teamId: string, tokenId: string, audit: AuditFor): Promise<TeamToken | null> {
    return this.follower.write([{ kind: 'team_tokens', ids: [tokenId] }], (primary) => primary.tokens.revoke(teamId, tokenId, audit));
  }

  revokeAll(teamId: string): Promise<void> {
    // The tokens it touches are the team's, as listed on the primary just before.
    return this.follower.write(
      async (primary) => [{ kind: 'team_tokens', ids: (await primary.tokens.listByTeam(teamId)).map((token) => token.id) }],
      (primary) => primary.tokens.revokeAll(teamId),
    );
  }

  /**
   * Checks the token on the current store, which records its last use at most once a minute; a
   * changed last use is then copied to the other store (not journaled: the merge keeps the later
   * time whenever it is copied again).
   */
  async authenticate(token: string): Promise<TeamTokenIdentity | null> {
    const identity = await this.follower.reader().tokens.authenticate(token);
    if (identity) await this.follower.copyIfChanged('team_tokens', identity.tokenId);
    return identity;
  }

  outbox(): OutboxSource {
    const current = () => this.follower.reader().tokens.outbox();
    return {
      pending: (limit) => current().pending(limit),
      markPublished: (ids) => current().markPublished(ids),
      backlog: () => current().backlog(),
    };
  }
}
