import { hashSecret, newSecret, secretMatches } from '../../lib/auth/secrets';
import { Schema, type Connection, type Model } from 'mongoose';
import { KeyedQueue } from '../../lib/KeyedQueue';
import { insertAllButDuplicates } from '../../lib/mongo';
import { newId } from '../../lib/validate';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import { MongoOutbox, outboxFields, updateWithEvents, withEvents, type WithOutbox } from '../../lib/events/MongoOutbox';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { LegacySession, Redemption, RefreshTokenRecord, StoredLegacySession } from './domain';
import { LEGACY_TOKEN, type RefreshTokenStore } from './RefreshTokenStore';

interface RefreshTokenDocument extends WithOutbox {
  _id: string;
  /** Every token descending from one login shares it; reuse of a spent token revokes them all. */
  familyId: string;
  userId: string;
  /** SHA-256 of the secret: the token itself is never stored. */
  secretHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  /** When the user's sessions were ended (logout everywhere, deletion), as opposed to a revocation for reuse. */
  endedAt?: Date | null;
  createdAt: Date;
  /** SHA-256 of a token carried over from the legacy system (a bare secret, no id in it). */
  legacyTokenHash?: string;
}

const refreshTokenSchema = new Schema<RefreshTokenDocument>(
  {
    _id: { type: String, required: true },
    familyId: { type: String, required: true },
    userId: { type: String, required: true },
    secretHash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    legacyTokenHash: { type: String, default: undefined },
    // A session's audit event (login, refresh, logout) leaves with the token it made or ended.
    ...outboxFields,
  },
  { collection: 'refresh_tokens', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
refreshTokenSchema.index({ familyId: 1 });
refreshTokenSchema.index({ userId: 1 });
refreshTokenSchema.index({ hasOutbox: 1 }, { sparse: true });
refreshTokenSchema.index({ legacyTokenHash: 1 }, { sparse: true });

const LEGACY = { legacyTokenHash: { $exists: true } };

function toLegacySession(doc: RefreshTokenDocument): StoredLegacySession {
  return { id: doc._id, userId: doc.userId, tokenHash: doc.legacyTokenHash!, expiresAt: doc.expiresAt, createdAt: doc.createdAt, revokedAt: doc.revokedAt ?? null };
}

function toRecord(doc: RefreshTokenDocument): RefreshTokenRecord {
  return {
    id: doc._id, familyId: doc.familyId, userId: doc.userId, secretHash: doc.secretHash, expiresAt: doc.expiresAt, usedAt: doc.usedAt ?? null,
    revokedAt: doc.revokedAt ?? null, endedAt: doc.endedAt ?? null, createdAt: doc.createdAt, legacyTokenHash: doc.legacyTokenHash ?? null,
  };
}

/** The fields set once (RefreshTokenRecord's merge rule). */
const SET_ONCE = ['usedAt', 'revokedAt', 'endedAt'] as const;

/** What a legacy session's document is given again when it is imported again. */
const carried = (session: LegacySession) => ({ userId: session.userId, secretHash: session.tokenHash, legacyTokenHash: session.tokenHash, expiresAt: session.expiresAt, createdAt: session.createdAt });

/**
 * The refresh tokens' store on MongoDB (FerretDB). Opaque refresh tokens (`<id>.<secret>`), stored hashed, rotated on every use: redeeming one
 * spends it and the caller gets a new one of the same family. Presenting a spent token means it
 * was stolen (or replayed): the whole family is revoked, so the thief's and the victim's sessions
 * both end and the user signs in again.
 */
export class MongoRefreshTokenStore implements RefreshTokenStore {
  private readonly tokens: Model<RefreshTokenDocument>;
  private readonly redeeming = new KeyedQueue();

  constructor(connection: Connection, private readonly ttlSeconds: number) {
    this.tokens = connection.model<RefreshTokenDocument>('RefreshToken', refreshTokenSchema);
  }

  async init(): Promise<void> {
    await this.tokens.createIndexes();
  }

  /**
   * A new token. Without `rotation` it starts a new login's family, good for the configured TTL;
   * a rotation continues a family and keeps its expiry, so refreshing never extends a session
   * beyond the TTL from the original sign-in.
   */
  async issue(userId: string, rotation?: { familyId: string; expiresAt: Date }, events: readonly DomainEvent[] = [], id = newId()): Promise<string> {
    const secret = newSecret();
    const familyId = rotation?.familyId ?? newId();
    const expiresAt = rotation?.expiresAt ?? new Date(Date.now() + this.ttlSeconds * 1000);
    await this.tokens.create([{ _id: id, familyId, userId, secretHash: hashSecret(secret), expiresAt, ...withEvents(...events) }]);
    return `${id}.${secret}`;
  }

  /**
   * Presentations of one token are redeemed one after another in this process: the conditional
   * `usedAt: null` update below is atomic on MongoDB, but FerretDB 1.x applies it as an unlocked
   * read-modify-write, so two concurrent uses of one token could otherwise both succeed.
   */
  async redeem(token: string): Promise<Redemption> {
    if (LEGACY_TOKEN.test(token)) {
      // A migrated session: found by its hash; from here on it rotates into tokens of ours.
      const legacy = await this.tokens.findOne({ legacyTokenHash: hashSecret(token) }, { _id: 1 }).lean<{ _id: string }>();
      if (!legacy) return { ok: false, reason: 'unknown' };
      return this.redeeming.run(legacy._id, () => this.redeemNow(legacy._id, () => true));
    }
    const [id, secret, extra] = token.split('.');
    if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 128) return { ok: false, reason: 'unknown' };
    return this.redeeming.run(id, () => this.redeemNow(id, (doc) => secretMatches(doc.secretHash, secret)));
  }

  private async redeemNow(id: string, presented: (doc: RefreshTokenDocument) => boolean): Promise<Redemption> {
    const doc = await this.tokens.findOne({ _id: id }).lean<RefreshTokenDocument>();
    if (!doc) return { ok: false, reason: 'unknown' };
    if (!presented(doc)) return { ok: false, reason: 'unknown' };
    if (doc.revokedAt) return { ok: false, reason: 'revoked' };
    if (doc.usedAt) {
      await this.revokeFamily(doc.familyId);
      return { ok: false, reason: 'reused' };
    }
    if (doc.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
    // Revocation is always of a whole family, so one revoked member means the family is over; this
    // also catches a token issued while its family was being revoked (a rotation racing a reuse).
    if (await this.familyRevoked(doc.familyId)) {
      await this.revokeFamily(doc.familyId);
      return { ok: false, reason: 'revoked' };
    }
    // Spend it only if nobody spent it in between; a concurrent second use counts as reuse.
    const spent = await this.tokens.updateOne({ _id: id, usedAt: null }, { $set: { usedAt: new Date() } });
    if (spent.modifiedCount !== 1) {
      await this.revokeFamily(doc.familyId);
      return { ok: false, reason: 'reused' };
    }
    return { ok: true, userId: doc.userId, familyId: doc.familyId, expiresAt: doc.expiresAt };
  }

  /**
   * Ends the session the token belongs to (logout); false for a token that is not ours. The token
   * presented is revoked first, with `events` for its user (one write): that alone ends the family
   * (see redeemNow), so a crash before the rest of the family is revoked ends the session anyway.
   */
  async revokeByToken(token: string, events: (userId: string) => DomainEvent[] = () => []): Promise<boolean> {
    const doc = await this.findPresented(token);
    if (!doc) return false;
    // Ending a session that already ended changes nothing (and is not audited again).
    if (doc.revokedAt) return true;
    const id = doc._id;
    await this.redeeming.run(id, () => this.tokens.updateOne({ _id: id }, updateWithEvents({ revokedAt: new Date() }, events(doc.userId))));
    await this.revokeFamily(doc.familyId);
    return true;
  }

  /** The token document a presented token (ours, or a migrated legacy one) stands for, if any. */
  private async findPresented(token: string): Promise<RefreshTokenDocument | null> {
    if (LEGACY_TOKEN.test(token)) return this.tokens.findOne({ legacyTokenHash: hashSecret(token) }).lean<RefreshTokenDocument>();
    const [id, secret, extra] = token.split('.');
    if (!id || !secret || extra !== undefined || id.length > 64) return null;
    const doc = await this.tokens.findOne({ _id: id }).lean<RefreshTokenDocument>();
    return doc && secretMatches(doc.secretHash, secret) ? doc : null;
  }

  /** Whether a family's sessions are over (revocation is always of a whole family: one revoked member says so). */
  async familyRevoked(familyId: string): Promise<boolean> {
    return (await this.tokens.exists({ familyId, revokedAt: { $ne: null } })) !== null;
  }

  async familyEnded(familyId: string): Promise<boolean> {
    return (await this.tokens.exists({ familyId, endedAt: { $ne: null } })) !== null;
  }

  /** Ends every session of a user (their account was deleted, or they logged out everywhere). */
  async revokeAllOf(userId: string): Promise<void> {
    const now = new Date();
    await this.tokens.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } });
    // Also on tokens a reuse revoked before: their family's sessions are over for this reason too.
    await this.tokens.updateMany({ userId, endedAt: null }, { $set: { endedAt: now } });
  }

  async familyOf(token: string): Promise<string[]> {
    const doc = await this.tokenOf(token);
    if (!doc) return [];
    return (await this.tokens.find({ familyId: doc.familyId }, { _id: 1 }).lean<{ _id: string }[]>()).map((member) => member._id);
  }

  async tokenIdsOf(userId: string): Promise<string[]> {
    return (await this.tokens.find({ userId }, { _id: 1 }).lean<{ _id: string }[]>()).map((doc) => doc._id);
  }

  /** The token a presented one names (by its id, or a legacy one by its hash), its secret unchecked. */
  private tokenOf(token: string): Promise<Pick<RefreshTokenDocument, 'familyId'> | null> {
    if (LEGACY_TOKEN.test(token)) return this.tokens.findOne({ legacyTokenHash: hashSecret(token) }, { familyId: 1 }).lean<Pick<RefreshTokenDocument, 'familyId'>>();
    const [id] = token.split('.');
    return id ? this.tokens.findOne({ _id: id }, { familyId: 1 }).lean<Pick<RefreshTokenDocument, 'familyId'>>() : Promise.resolve(null);
  }

  /** The tokens' outbox: session audit events, relayed through the same per-token queue as spending. */
  outbox(): MongoOutbox<RefreshTokenDocument> {
    return new MongoOutbox(this.tokens, this.redeeming);
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  }

  async importLegacy(fresh: readonly LegacySession[], known: readonly LegacySession[]): Promise<string[]> {
    const conflicts = await insertAllButDuplicates(
      this.tokens,
      fresh.map((session) => ({ _id: session.id, familyId: session.id, ...carried(session), usedAt: null, revokedAt: null })),
    );
    if (known.length > 0) {
      await this.tokens.collection.bulkWrite(
        known.map((session) => ({
          updateOne: { filter: { _id: session.id } as never, update: { $set: carried(session), $setOnInsert: { familyId: session.id, usedAt: null, revokedAt: null } } as never, upsert: true },
        })),
        { ordered: false },
      );
    }
    return conflicts;
  }

  async legacySessions(ids: readonly string[]): Promise<StoredLegacySession[]> {
    if (ids.length === 0) return [];
    return (await this.tokens.find({ _id: { $in: ids }, ...LEGACY }).lean<RefreshTokenDocument[]>()).map(toLegacySession);
  }

  async *legacySessionsInIdOrder(): AsyncIterable<StoredLegacySession> {
    for await (const doc of this.tokens.collection.find(LEGACY, { sort: { _id: 1 }, batchSize: 5000 })) yield toLegacySession(doc as unknown as RefreshTokenDocument);
  }

  async revokeByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.tokens.updateMany({ _id: { $in: ids }, revokedAt: null }, { $set: { revokedAt: new Date() } });
  }

  async removeByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.tokens.deleteMany({ _id: { $in: ids } });
  }

  /**
   * The tokens as the online move copies them (lib/storeMove), the outbox not. Merge rule (no
   * version): an absent token is inserted whole; a present one only gets the set-once fields it
   * lacks (usedAt, revokedAt, endedAt: each `{ field: null }` filtered, so never unset or moved).
   */
  moveAdapter(): MoveAdapter<RefreshTokenRecord> {
    const tokens = this.tokens;
    const redeeming = this.redeeming;
    return {
      scan: async (afterId, limit) => (await tokens.find(afterId === null ? {} : { _id: { $gt: afterId } }).sort({ _id: 1 }).limit(limit).lean<RefreshTokenDocument[]>()).map(toRecord),
      get: async (ids) => (ids.length === 0 ? [] : (await tokens.find({ _id: { $in: [...ids] } }).lean<RefreshTokenDocument[]>()).map(toRecord)),
      count: () => tokens.countDocuments({}),
      async putIfNewer(records) {
        let changed = 0;
        for (const record of records) {
          // In the token's queue: on FerretDB a redemption's read-then-spend must not interleave.
          changed += await redeeming.run(record.id, async () => {
            const { id, legacyTokenHash, ...fields } = record;
            const inserted = await insertAllButDuplicates(tokens, [{ _id: id, ...fields, ...(legacyTokenHash ? { legacyTokenHash } : {}) }]);
            if (inserted.length === 0) return 1;
            let merged = 0;
            for (const field of SET_ONCE) {
              if (!record[field]) continue;
              merged += (await tokens.updateOne({ _id: id, [field]: null }, { $set: { [field]: record[field] } })).modifiedCount;
            }
            return merged > 0 ? 1 : 0;
          });
        }
        return changed;
      },
    };
  }
}
