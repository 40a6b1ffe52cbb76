import type { TeamTokenIdentity } from '../../lib/auth/authenticator';
import type { AuditFor } from '../../lib/events/audit';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { TeamToken } from './domain';

/**
 * Every service checks the token on every hop of a request: recording each use would be a write
 * per hop, so the last use is kept to the minute (both stores).
 */
export const LAST_USE_RESOLUTION_MS = 60_000;

/** `sft_<id>_<secret>`, as both stores parse it. */
export const TEAM_TOKEN_PATTERN = /^sft_([0-9a-f-]{36})_([A-Za-z0-9_-]{20,100})$/;

/**
 * Team API tokens, `sft_<id>_<secret>`: stored hashed, revocable, their last use recorded to the
 * minute (MongoTeamTokenStore, PrismaTeamTokenStore). Creating and revoking one writes its audit
 * event with it.
 */
export interface TeamTokenStore {
  /** The new token's record and its secret form, which is returned this once; `id` as for TeamStore.create. */
  create(teamId: string, name: string, createdBy: string, audit: AuditFor, id?: string): Promise<{ token: string; record: TeamToken }>;
  /** The team's tokens, newest first. */
  listByTeam(teamId: string): Promise<TeamToken[]>;
  /** Revokes one of the team's tokens; null when the team has no such token. */
  revoke(teamId: string, tokenId: string, audit: AuditFor): Promise<TeamToken | null>;
  /** Revokes every token of a team (when the team is deleted). */
  revokeAll(teamId: string): Promise<void>;
  /** The team a presented token acts for, or null (unknown, wrong secret, revoked); records the use. */
  authenticate(token: string): Promise<TeamTokenIdentity | null>;
  outbox(): OutboxSource;
}
