import { hashSecret, newSecret, secretMatches } from '../../lib/auth/secrets';
import { Schema, type Connection, type Model } from 'mongoose';
import { TEAM_TOKEN_PREFIX, type TeamTokenIdentity } from '../../lib/auth/authenticator';
import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import { MongoOutbox, outboxFields, updateWithEvents, withEvents, type WithOutbox } from '../../lib/events/MongoOutbox';
import { KeyedQueue } from '../../lib/KeyedQueue';
import type { TeamToken } from './domain';
import { LAST_USE_RESOLUTION_MS, TEAM_TOKEN_PATTERN, type TeamTokenStore } from './TeamTokenStore';
import { isDuplicateKeyError } from '../../lib/mongo';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { TeamTokenRecord } from './move/records';

interface TeamTokenDocument extends Omit<TeamToken, 'id'>, WithOutbox {
  _id: string;
  /** SHA-256 of the secret: the token is shown once, at creation, and never stored. */
  secretHash: string;
}

const teamTokenSchema = new Schema<TeamTokenDocument>(
  {
    _id: { type: String, required: true },
    teamId: { type: String, required: true },
    name: { type: String, required: true },
    createdBy: { type: String, required: true },
    secretHash: { type: String, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    // Creating or revoking a token is audited: the event leaves with the token's own write.
    ...outboxFields,
  },
  { collection: 'team_tokens', timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
teamTokenSchema.index({ teamId: 1 });
teamTokenSchema.index({ hasOutbox: 1 }, { sparse: true });

function toToken(doc: TeamTokenDocument): TeamToken {
  return {
    id: doc._id,
    teamId: doc.teamId,
    name: doc.name,
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    lastUsedAt: doc.lastUsedAt ?? null,
    revokedAt: doc.revokedAt ?? null,
  };
}


function toRecord(doc: TeamTokenDocument): TeamTokenRecord {
  return { ...toToken(doc), secretHash: doc.secretHash };
}

/** The later of two optional times: a token's last use and revocation only move forward. */
export function later(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a.getTime() >= b.getTime() ? a : b;
}

/** The team API tokens' store on MongoDB (FerretDB). */
export class MongoTeamTokenStore implements TeamTokenStore {
  private readonly tokens: Model<TeamTokenDocument>;
  /** Revocations and the relay's outbox writes, one at a time per token (see MongoOutbox). */
  private readonly writes = new KeyedQueue();

  constructor(connection: Connection) {
    this.tokens = connection.model<TeamTokenDocument>('TeamToken', teamTokenSchema);
  }

  async init(): Promise<void> {
    await this.tokens.createIndexes();
  }

  /** The new token's record and its secret form, which is returned this once. */
  async create(teamId: string, name: string, createdBy: string, audit: AuditFor, id = newId()): Promise<{ token: string; record: TeamToken }> {
    const secret = newSecret();
    const [doc] = await this.tokens.create([{ _id: id, teamId, name, createdBy, secretHash: hashSecret(secret), ...withEvents(audit(id)) }]);
    return { token: `${TEAM_TOKEN_PREFIX}${id}_${secret}`, record: toToken(doc!.toObject()) };
  }

  async listByTeam(teamId: string): Promise<TeamToken[]> {
    const docs = await this.tokens.find({ teamId }).sort({ createdAt: -1, _id: -1 }).lean<TeamTokenDocument[]>();
    return docs.map(toToken);
  }

  /** Revokes one of the team's tokens; null when the team has no such token. */
  revoke(teamId: string, tokenId: string, audit: AuditFor): Promise<TeamToken | null> {
    return this.writes.run(tokenId, async () => {
      const doc = await this.tokens
        .findOneAndUpdate({ _id: tokenId, teamId }, updateWithEvents({ revokedAt: new Date() }, [audit(tokenId)]), { returnDocument: 'after' })
        .lean<TeamTokenDocument>();
      return doc ? toToken(doc) : null;
    });
  }

  /**
   * The tokens as a move copies them, secret hashes included. putIfNewer merges (records.ts):
   * inserted when absent, else `lastUsedAt` and `revokedAt` take the later time, through the
   * token's queue like every write of this store.
   */
  moveAdapter(): MoveAdapter<TeamTokenRecord> {
    const collection = this.tokens.collection;
    const merge = async (record: TeamTokenRecord): Promise<number> => {
      const doc = await this.tokens.findOne({ _id: record.id }).lean<TeamTokenDocument>();
      if (!doc) {
        const { id, ...fields } = record;
        try {
          await collection.insertOne({ _id: id, ...fields } as never);
          return 1;
        } catch (error) {
          if (isDuplicateKeyError(error)) return merge(record);
          throw error;
        }
      }
      const lastUsedAt = later(doc.lastUsedAt ?? null, record.lastUsedAt);
      const revokedAt = later(doc.revokedAt ?? null, record.revokedAt);
      if (lastUsedAt?.getTime() === doc.lastUsedAt?.getTime() && revokedAt?.getTime() === doc.revokedAt?.getTime()) return 0;
      await collection.updateOne({ _id: record.id } as never, { $set: { lastUsedAt, revokedAt } });
      return 1;
    };
    return {
      scan: async (afterId, limit) =>
        (await this.tokens.find(afterId ? { _id: { $gt: afterId } } : {}).sort({ _id: 1 }).limit(limit).lean<TeamTokenDocument[]>()).map(toRecord),
      get: async (ids) => (await this.tokens.find({ _id: { $in: [...ids] } }).lean<TeamTokenDocument[]>()).map(toRecord),
      count: () => this.tokens.countDocuments({}),
      putIfNewer: async (records) => {
        const applied = await Promise.all(records.map((record) => this.writes.run(record.id, () => merge(record))));
        return applied.reduce((sum, n) => sum + n, 0);
      },
    };
  }

  outbox(): MongoOutbox<TeamTokenDocument> {
    return new MongoOutbox(this.tokens, this.writes);
  }

  /** Revokes every token of a team (when the team is deleted). */
  async revokeAll(teamId: string): Promise<void> {
    const live = await this.tokens.find({ teamId, revokedAt: null }, { _id: 1 }).lean<{ _id: string }[]>();
    const revokedAt = new Date();
    await Promise.all(live.map(({ _id }) => this.writes.run(_id, () => this.tokens.updateOne({ _id }, { $set: { revokedAt } }))));
  }

  /** The team a presented token acts for, or null (unknown, wrong secret, revoked); records the use. */
  async authenticate(token: string): Promise<TeamTokenIdentity | null> {
    const match = TEAM_TOKEN_PATTERN.exec(token);
    if (!match) return null;
    const [, id, secret] = match;
    const doc = await this.tokens.findOne({ _id: id }).lean<TeamTokenDocument>();
    if (!doc || doc.revokedAt) return null;
    if (!secretMatches(doc.secretHash, secret!)) return null;
    const now = Date.now();
    if (!doc.lastUsedAt || now - doc.lastUsedAt.getTime() > LAST_USE_RESOLUTION_MS) {
      // Through the token's queue: on FerretDB this write would otherwise be able to undo a revocation.
      await this.writes.run(id!, () => this.tokens.updateOne({ _id: id, revokedAt: null }, { $set: { lastUsedAt: new Date(now) } }));
    }
    return { teamId: doc.teamId, tokenId: doc._id };
  }
}
