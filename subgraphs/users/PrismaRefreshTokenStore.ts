import { sqltag as sql } from '@prisma/client/runtime/client';
import { hashSecret, newSecret, secretMatches } from '../../lib/auth/secrets';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import { PrismaOutbox, writeOutbox } from '../../lib/events/PrismaOutbox';
import { isId, newId } from '../../lib/validate';
import type { Prisma, PrismaClient, RefreshToken as RefreshTokenRow } from '../../prisma/users/generated/client';
import { keysetPages } from '../../lib/sqlPaging';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { LegacySession, Redemption, RefreshTokenRecord, StoredLegacySession } from './domain';
import { LEGACY_TOKEN, type RefreshTokenStore } from './RefreshTokenStore';

type Tx = Prisma.TransactionClient;

const LEGACY = { legacyTokenHash: { not: null } };

function toLegacySession(row: RefreshTokenRow): StoredLegacySession {
  return { id: row.id, userId: row.userId, tokenHash: row.legacyTokenHash!, expiresAt: row.expiresAt, createdAt: row.createdAt, revokedAt: row.revokedAt };
}

function toRecord(row: RefreshTokenRow): RefreshTokenRecord {
  const { id, familyId, userId, secretHash, expiresAt, usedAt, revokedAt, endedAt, createdAt, legacyTokenHash } = row;
  return { id, familyId, userId, secretHash, expiresAt, usedAt, revokedAt, endedAt, createdAt, legacyTokenHash };
}

/** What a legacy session's row is given again when it is imported again. */
const carried = (session: LegacySession) => ({ userId: session.userId, secretHash: session.tokenHash, legacyTokenHash: session.tokenHash, expiresAt: session.expiresAt, createdAt: session.createdAt });

/**
 * The refresh tokens' store on PostgreSQL. Redeeming locks the token's row (SELECT ... FOR UPDATE)
 * and spends it in that transaction: of concurrent presentations, from any number of instances,
 * exactly one finds it unspent; the others find it spent, which is reuse (the family is revoked).
 */
export class PrismaRefreshTokenStore implements RefreshTokenStore {
  constructor(
    private readonly db: PrismaClient,
    private readonly ttlSeconds: number,
  ) {}

  async issue(userId: string, rotation?: { familyId: string; expiresAt: Date }, events: readonly DomainEvent[] = [], id = newId()): Promise<string> {
    const secret = newSecret();
    const familyId = rotation?.familyId ?? newId();
    const expiresAt = rotation?.expiresAt ?? new Date(Date.now() + this.ttlSeconds * 1000);
    await this.db.$transaction(async (tx) => {
      await tx.refreshToken.create({ data: { id, familyId, userId, secretHash: hashSecret(secret), expiresAt } });
      await writeOutbox(tx, events);
    });
    return `${id}.${secret}`;
  }

  async redeem(token: string): Promise<Redemption> {
    if (LEGACY_TOKEN.test(token)) {
      const legacy = await this.db.refreshToken.findFirst({ where: { legacyTokenHash: hashSecret(token) }, select: { id: true } });
      if (!legacy) return { ok: false, reason: 'unknown' };
      return this.redeemLocked(legacy.id, () => true);
    }
    const [id, secret, extra] = token.split('.');
    if (!id || !secret || extra !== undefined || !isId(id) || secret.length > 128) return { ok: false, reason: 'unknown' };
    return this.redeemLocked(id.toLowerCase(), (row) => secretMatches(row.secretHash, secret));
  }

  private redeemLocked(id: string, presented: (row: RefreshTokenRow) => boolean): Promise<Redemption> {
    return this.db.$transaction(async (tx): Promise<Redemption> => {
      const locked = await tx.$queryRaw<unknown[]>(sql`SELECT 1 FROM refresh_tokens WHERE id = ${id}::uuid FOR UPDATE`);
      if (locked.length === 0) return { ok: false, reason: 'unknown' };
      const row = await tx.refreshToken.findUniqueOrThrow({ where: { id } });
      if (!presented(row)) return { ok: false, reason: 'unknown' };
      if (row.revokedAt) return { ok: false, reason: 'revoked' };
      if (row.usedAt) {
        await revokeFamily(tx, row.familyId);
        return { ok: false, reason: 'reused' };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
      // Revocation is always of a whole family: one revoked member means the family is over.
      if ((await tx.refreshToken.count({ where: { familyId: row.familyId, revokedAt: { not: null } } })) > 0) {
        await revokeFamily(tx, row.familyId);
        return { ok: false, reason: 'revoked' };
      }
      await tx.refreshToken.update({ where: { id }, data: { usedAt: new Date() } });
      return { ok: true, userId: row.userId, familyId: row.familyId, expiresAt: row.expiresAt };
    });
  }

  async revokeByToken(token: string, events: (userId: string) => DomainEvent[] = () => []): Promise<boolean> {
    const row = await this.findPresented(token);
    if (!row) return false;
    if (row.revokedAt) return true;
    await this.db.$transaction(async (tx) => {
      // The presented token and its audit event first, in one write with the rest of its family.
      const { count } = await tx.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (count === 1) await writeOutbox(tx, events(row.userId));
      await revokeFamily(tx, row.familyId);
    });
    return true;
  }

  private async findPresented(token: string): Promise<RefreshTokenRow | null> {
    if (LEGACY_TOKEN.test(token)) return this.db.refreshToken.findFirst({ where: { legacyTokenHash: hashSecret(token) } });
    const [id, secret, extra] = token.split('.');
    if (!id || !secret || extra !== undefined || !isId(id)) return null;
    const row = await this.db.refreshToken.findUnique({ where: { id: id.toLowerCase() } });
    return row && secretMatches(row.secretHash, secret) ? row : null;
  }

  async familyRevoked(familyId: string): Promise<boolean> {
    if (!isId(familyId)) return false;
    return (await this.db.refreshToken.count({ where: { familyId, revokedAt: { not: null } } })) > 0;
  }

  async familyEnded(familyId: string): Promise<boolean> {
    if (!isId(familyId)) return false;
    return (await this.db.refreshToken.count({ where: { familyId, endedAt: { not: null } } })) > 0;
  }

  async revokeAllOf(userId: string): Promise<void> {
    if (!isId(userId)) return;
    const now = new Date();
    await this.db.$transaction([
      this.db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } }),
      // Also on tokens a reuse revoked before: their family's sessions are over for this reason too.
      this.db.refreshToken.updateMany({ where: { userId, endedAt: null }, data: { endedAt: now } }),
    ]);
  }

  async familyOf(token: string): Promise<string[]> {
    const [id] = token.split('.');
    const row = LEGACY_TOKEN.test(token)
      ? await this.db.refreshToken.findFirst({ where: { legacyTokenHash: hashSecret(token) }, select: { familyId: true } })
      : id && isId(id)
        ? await this.db.refreshToken.findUnique({ where: { id: id.toLowerCase() }, select: { familyId: true } })
        : null;
    if (!row) return [];
    return (await this.db.refreshToken.findMany({ where: { familyId: row.familyId }, select: { id: true } })).map((member) => member.id);
  }

  async tokenIdsOf(userId: string): Promise<string[]> {
    if (!isId(userId)) return [];
    return (await this.db.refreshToken.findMany({ where: { userId }, select: { id: true } })).map((row) => row.id);
  }

  outbox(): OutboxSource {
    return new PrismaOutbox(this.db);
  }

  async importLegacy(fresh: readonly LegacySession[], known: readonly LegacySession[]): Promise<string[]> {
    let conflicts: string[] = [];
    if (fresh.length > 0) {
      const inserted = await this.db.refreshToken.createManyAndReturn({
        data: fresh.map((session) => ({ id: session.id, familyId: session.id, ...carried(session) })),
        skipDuplicates: true,
        select: { id: true },
      });
      const done = new Set(inserted.map((row) => row.id));
      conflicts = fresh.map((session) => session.id).filter((id) => !done.has(id));
    }
    if (known.length > 0) {
      await this.db.$transaction(
        known.map((session) => this.db.refreshToken.upsert({ where: { id: session.id }, create: { id: session.id, familyId: session.id, ...carried(session) }, update: carried(session) })),
      );
    }
    return conflicts;
  }

  async legacySessions(ids: readonly string[]): Promise<StoredLegacySession[]> {
    return (await this.db.refreshToken.findMany({ where: { id: { in: ids.filter(isId) }, ...LEGACY } })).map(toLegacySession);
  }

  /** Keyset pages on the primary key: a uuid's order is its text's. */
  async *legacySessionsInIdOrder(): AsyncIterable<StoredLegacySession> {
    const rows = keysetPages((after, take) => this.db.refreshToken.findMany({ where: { ...LEGACY, ...(after ? { id: { gt: after } } : {}) }, orderBy: { id: 'asc' }, take }));
    for await (const row of rows) yield toLegacySession(row);
  }

  async revokeByIds(ids: readonly string[]): Promise<void> {
    await this.db.refreshToken.updateMany({ where: { id: { in: ids.filter(isId) }, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  async removeByIds(ids: readonly string[]): Promise<void> {
    await this.db.refreshToken.deleteMany({ where: { id: { in: ids.filter(isId) } } });
  }

  /**
   * The tokens as the online move copies them (lib/storeMove), the outbox not. Merge rule (no
   * version): one INSERT ... ON CONFLICT DO UPDATE per token that only fills the set-once fields
   * (used_at, revoked_at, ended_at) still NULL, so a spent or revoked token stays so.
   */
  moveAdapter(): MoveAdapter<RefreshTokenRecord> {
    const db = this.db;
    return {
      scan: async (afterId, limit) => (await db.refreshToken.findMany({ where: afterId === null ? {} : { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: limit })).map(toRecord),
      get: async (ids) => (await db.refreshToken.findMany({ where: { id: { in: ids.filter(isId) } } })).map(toRecord),
      count: () => db.refreshToken.count(),
      async putIfNewer(records) {
        let changed = 0;
        for (const r of records) {
          changed += await db.$executeRaw(sql`
            INSERT INTO refresh_tokens (id, family_id, user_id, secret_hash, expires_at, used_at, revoked_at, ended_at, created_at, legacy_token_hash)
            VALUES (${r.id}::uuid, ${r.familyId}::uuid, ${r.userId}::uuid, ${r.secretHash}, ${r.expiresAt}, ${r.usedAt}, ${r.revokedAt}, ${r.endedAt}, ${r.createdAt}, ${r.legacyTokenHash})
            ON CONFLICT (id) DO UPDATE SET used_at = COALESCE(refresh_tokens.used_at, EXCLUDED.used_at),
              revoked_at = COALESCE(refresh_tokens.revoked_at, EXCLUDED.revoked_at), ended_at = COALESCE(refresh_tokens.ended_at, EXCLUDED.ended_at)
            WHERE (refresh_tokens.used_at IS NULL AND EXCLUDED.used_at IS NOT NULL) OR (refresh_tokens.revoked_at IS NULL AND EXCLUDED.revoked_at IS NOT NULL)
               OR (refresh_tokens.ended_at IS NULL AND EXCLUDED.ended_at IS NOT NULL)`);
        }
        return changed;
      },
    };
  }
}

async function revokeFamily(tx: Tx, familyId: string): Promise<void> {
  await tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
}
