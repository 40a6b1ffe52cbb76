import { TEAM_TOKEN_PREFIX, type TeamTokenIdentity } from '../../lib/auth/authenticator';
import { hashSecret, newSecret, secretMatches } from '../../lib/auth/secrets';
import type { AuditFor } from '../../lib/events/audit';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import { PrismaOutbox, writeOutbox } from '../../lib/events/PrismaOutbox';
import { isId, newId } from '../../lib/validate';
import type { PrismaClient, TeamToken as TeamTokenRow } from '../../prisma/teams/generated/client';
import type { TeamToken } from './domain';
import { LAST_USE_RESOLUTION_MS, TEAM_TOKEN_PATTERN, type TeamTokenStore } from './TeamTokenStore';
import { sqltag as sql } from '@prisma/client/runtime/client';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { TeamTokenRecord } from './move/records';

function toToken(row: TeamTokenRow): TeamToken {
  return {
    id: row.id,
    teamId: row.teamId,
    name: row.name,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/**
 * The team API tokens' store on PostgreSQL: each write is one statement or one transaction with
 * its audit event, so no queue is needed (a last-use write names `revoked_at IS NULL` and cannot
 * undo a revocation).
 */
export class PrismaTeamTokenStore implements TeamTokenStore {
  constructor(private readonly db: PrismaClient) {}

  create(teamId: string, name: string, createdBy: string, audit: AuditFor, id = newId()): Promise<{ token: string; record: TeamToken }> {
    const secret = newSecret();
    return this.db.$transaction(async (tx) => {
      const row = await tx.teamToken.create({ data: { id, teamId, name, createdBy, secretHash: hashSecret(secret) } });
      await writeOutbox(tx, [audit(id)]);
      return { token: `${TEAM_TOKEN_PREFIX}${id}_${secret}`, record: toToken(row) };
    });
  }

  async listByTeam(teamId: string): Promise<TeamToken[]> {
    if (!isId(teamId)) return [];
    const rows = await this.db.teamToken.findMany({ where: { teamId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return rows.map(toToken);
  }

  async revoke(teamId: string, tokenId: string, audit: AuditFor): Promise<TeamToken | null> {
    if (!isId(teamId) || !isId(tokenId)) return null;
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.teamToken.updateMany({ where: { id: tokenId, teamId }, data: { revokedAt: new Date() } });
      if (count === 0) return null;
      await writeOutbox(tx, [audit(tokenId)]);
      return toToken(await tx.teamToken.findUniqueOrThrow({ where: { id: tokenId } }));
    });
  }

  async revokeAll(teamId: string): Promise<void> {
    if (!isId(teamId)) return;
    await this.db.teamToken.updateMany({ where: { teamId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  async authenticate(token: string): Promise<TeamTokenIdentity | null> {
    const match = TEAM_TOKEN_PATTERN.exec(token);
    if (!match || !isId(match[1])) return null;
    const [, id, secret] = match;
    const row = await this.db.teamToken.findUnique({ where: { id: id! } });
    if (!row || row.revokedAt) return null;
    if (!secretMatches(row.secretHash, secret!)) return null;
    const now = Date.now();
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USE_RESOLUTION_MS) {
      await this.db.teamToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { lastUsedAt: new Date(now) } });
    }
    return { teamId: row.teamId, tokenId: row.id };
  }

  outbox(): OutboxSource {
    return new PrismaOutbox(this.db);
  }

  /**
   * The tokens as a move copies them, secret hashes included. putIfNewer merges (records.ts) in
   * one statement: inserted when absent, else GREATEST of the times (which ignores NULLs).
   */
  moveAdapter(): MoveAdapter<TeamTokenRecord> {
    const toRecord = (row: TeamTokenRow): TeamTokenRecord => ({ ...toToken(row), secretHash: row.secretHash });
    const ids = (values: readonly string[]) => values.filter(isId).map((id) => id.toLowerCase());
    return {
      scan: async (afterId, limit) => (await this.db.teamToken.findMany({ where: afterId ? { id: { gt: afterId } } : {}, orderBy: { id: 'asc' }, take: limit })).map(toRecord),
      get: async (values) => (await this.db.teamToken.findMany({ where: { id: { in: ids(values) } } })).map(toRecord),
      count: () => this.db.teamToken.count(),
      putIfNewer: async (records) => {
        let applied = 0;
        for (const r of records) {
          applied += await this.db.$executeRaw(sql`
            INSERT INTO team_tokens (id, team_id, name, created_by, secret_hash, created_at, last_used_at, revoked_at)
            VALUES (${r.id}::uuid, ${r.teamId}::uuid, ${r.name}, ${r.createdBy}::uuid, ${r.secretHash}, ${r.createdAt}, ${r.lastUsedAt}, ${r.revokedAt})
            ON CONFLICT (id) DO UPDATE SET last_used_at = GREATEST(team_tokens.last_used_at, EXCLUDED.last_used_at),
              revoked_at = GREATEST(team_tokens.revoked_at, EXCLUDED.revoked_at)
            WHERE team_tokens.last_used_at IS DISTINCT FROM GREATEST(team_tokens.last_used_at, EXCLUDED.last_used_at)
               OR team_tokens.revoked_at IS DISTINCT FROM GREATEST(team_tokens.revoked_at, EXCLUDED.revoked_at)`);
        }
        return applied;
      },
    };
  }
}
