import { Schema, type Connection, type Model } from 'mongoose';
import { conflict } from '../../lib/errors';
import { KeyedQueue } from '../../lib/KeyedQueue';
import { afterCursorFilter, isDuplicateKeyError, NEWEST_FIRST } from '../../lib/mongo';
import type { Page } from '../../lib/pagination';
import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import { domainEvent, type DomainEvent, type TeamDeleted } from '../../lib/events/DomainEvent';
import { MongoOutbox, outboxFields, updateWithEvents, withEvents, type WithOutbox } from '../../lib/events/MongoOutbox';
import { TEAM_ROLES, type ChangedTeam, type Member, type Team, type TeamChange, type TeamStatus } from './domain';
import type { TeamStore } from './TeamStore';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { TeamRecord } from './move/records';

interface TeamDocument extends WithOutbox {
  _id: string;
  name: string;
  members: Member[];
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the team was deleted: a tombstone without members stays, its events leave with it. */
  deletedAt?: Date | null;
}

const memberSchema = new Schema<Member>(
  {
    userId: { type: String, required: true },
    role: { type: String, enum: TEAM_ROLES, required: true },
    joinedAt: { type: Date, required: true },
  },
  { _id: false },
);

const teamSchema = new Schema<TeamDocument>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    members: { type: [memberSchema], default: [] },
    revision: { type: Number, required: true, default: 0 },
    deletedAt: { type: Date, default: undefined },
    ...outboxFields,
  },
  { collection: 'teams', timestamps: true, versionKey: false },
);
teamSchema.index({ 'members.userId': 1 });
teamSchema.index({ createdAt: -1, _id: -1 });
teamSchema.index({ hasOutbox: 1 }, { sparse: true });

/** Live teams only: a deleted team's tombstone is not a team to anyone asking. */
const LIVE = { deletedAt: null };

function toTeam(doc: TeamDocument): Team {
  return {
    id: doc._id,
    name: doc.name,
    members: doc.members.map((m) => ({ userId: m.userId, role: m.role, joinedAt: m.joinedAt })),
    revision: doc.revision,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toRecord(doc: TeamDocument): TeamRecord {
  return { ...toTeam(doc), deletedAt: doc.deletedAt ?? null };
}

const MAX_CHANGE_ATTEMPTS = 5;

/**
 * The teams' store on MongoDB (FerretDB). Members live inside the team document, so every change to a
 * team is a single-document write (no multi-document transaction, which FerretDB lacks).
 * Concurrent changes to one team are serialized two ways: across processes by the `revision`
 * compare-and-set (atomic on MongoDB), and within this process by a per-team queue, because
 * FerretDB 1.x applies updates as unlocked read-modify-write and would let two writers both win.
 */
export class MongoTeamStore implements TeamStore {
  private readonly teams: Model<TeamDocument>;
  private readonly changing = new KeyedQueue();

  constructor(connection: Connection) {
    this.teams = connection.model<TeamDocument>('Team', teamSchema);
  }

  async init(): Promise<void> {
    await this.teams.createIndexes();
  }

  async findByIds(ids: readonly string[]): Promise<Team[]> {
    const docs = await this.teams.find({ _id: { $in: ids }, ...LIVE }).lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  /** Live teams and deleted teams' tombstones among `ids`, in one query (the integrity check asks). */
  async statusOf(ids: readonly string[]): Promise<Map<string, TeamStatus>> {
    const docs = await this.teams.find({ _id: { $in: ids } }, { _id: 1, deletedAt: 1 }).lean<{ _id: string; deletedAt?: Date | null }[]>();
    return new Map(docs.map((doc) => [doc._id, doc.deletedAt ? 'deleted' : 'live']));
  }

  /** Every team any of `userIds` belongs to, in one query. */
  async findByMembers(userIds: readonly string[]): Promise<Team[]> {
    const docs = await this.teams
      .find({ 'members.userId': { $in: userIds }, ...LIVE })
      .sort(NEWEST_FIRST)
      .lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  /** Live teams in id order after `afterId`, `limit` at a time (the integrity check streams them). */
  async scan(afterId: string | null, limit: number): Promise<Team[]> {
    const docs = await this.teams
      .find({ ...(afterId ? { _id: { $gt: afterId } } : {}), ...LIVE })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  countLive(): Promise<number> {
    return this.teams.countDocuments(LIVE);
  }

  async list(page: Page): Promise<Team[]> {
    const docs = await this.teams
      .find({ ...afterCursorFilter(page.after), ...LIVE })
      .sort(NEWEST_FIRST)
      .limit(page.limit + 1)
      .lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  async create(name: string, ownerId: string, audit: AuditFor, id = newId()): Promise<Team> {
    const now = new Date();
    const [doc] = await this.teams.create([
      { _id: id, name, members: [{ userId: ownerId, role: 'OWNER', joinedAt: now }], revision: 0, ...withEvents(audit(id)) },
    ]);
    return toTeam(doc!.toObject());
  }

  /**
   * The teams as a move copies them (tombstones too). putIfNewer writes a team only over a lower
   * revision (or where it is absent), through the same per-team queue as every change, with the
   * driver's own updateOne/insertOne: no timestamps of mongoose's, no outbox.
   */
  moveAdapter(): MoveAdapter<TeamRecord> {
    const collection = this.teams.collection;
    return {
      scan: async (afterId, limit) =>
        (await this.teams.find(afterId ? { _id: { $gt: afterId } } : {}).sort({ _id: 1 }).limit(limit).lean<TeamDocument[]>()).map(toRecord),
      get: async (ids) => (await this.teams.find({ _id: { $in: [...ids] } }).lean<TeamDocument[]>()).map(toRecord),
      count: () => this.teams.countDocuments({}),
      putIfNewer: async (records) => {
        const applied = await Promise.all(
          records.map((record) =>
            this.changing.run(record.id, async () => {
              const { id, ...fields } = record;
              const result = await collection.updateOne({ _id: id, revision: { $lt: record.revision } } as never, { $set: fields });
              if (result.matchedCount === 1) return 1;
              try {
                await collection.insertOne({ _id: id, ...fields } as never);
                return 1;
              } catch (error) {
                if (isDuplicateKeyError(error)) return 0; // present at this revision or a newer one
                throw error;
              }
            }),
          ),
        );
        return applied.reduce<number>((sum, n) => sum + n, 0);
      },
    };
  }

  /** The teams' outbox, relayed through the same per-team queue as every change. */
  outbox(): MongoOutbox<TeamDocument> {
    return new MongoOutbox(this.teams, this.changing);
  }

  /**
   * Applies `decide` to the current team and writes its result only if nobody changed the team in
   * between; otherwise re-reads and decides again. `decide` throws to refuse the change. The
   * change's audit event (and team.deleted when the team goes) is written by the same write.
   * Returns null when the team does not exist; a deleted team comes back with `deletedAt` set.
   */
  change(id: string, decide: (team: Team) => TeamChange, audit?: AuditFor): Promise<ChangedTeam | null> {
    return this.changing.run(id, () => this.compareAndSet(id, decide, audit));
  }

  private async compareAndSet(id: string, decide: (team: Team) => TeamChange, audit?: AuditFor): Promise<ChangedTeam | null> {
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      const [team] = await this.findByIds([id]);
      if (!team) return null;
      const { deleted, ...change } = decide(team);
      // Nothing to change and nothing to record: no write (and the revision stays).
      if (!deleted && !audit && Object.keys(change).length === 0) return team;
      const events: DomainEvent[] = [
        ...(deleted ? [domainEvent<TeamDeleted>('teams', 'team.deleted', { teamId: id })] : []),
        ...(audit ? [audit(id)] : []),
      ];
      const deletedAt = deleted ? new Date() : undefined;
      const set = deletedAt ? { members: [], deletedAt } : change;
      const result = await this.teams.updateOne({ _id: id, revision: team.revision }, updateWithEvents({ ...set, revision: team.revision + 1 }, events));
      if (result.matchedCount === 1) {
        if (deletedAt) return { ...team, members: [], deletedAt };
        const [updated] = await this.findByIds([id]);
        if (updated) return updated;
      }
    }
    throw conflict('the team is being changed by someone else at the same time; try again');
  }
}
