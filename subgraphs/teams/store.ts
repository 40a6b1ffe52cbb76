import { Schema, type Connection, type Model } from 'mongoose';
import { conflict } from '../../lib/errors';
import { KeyedQueue } from '../../lib/KeyedQueue';
import { afterCursorFilter, NEWEST_FIRST } from '../../lib/mongo';
import type { Page } from '../../lib/pagination';
import { newId } from '../../lib/validate';

export const TEAM_ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface Member {
  userId: string;
  role: TeamRole;
  joinedAt: Date;
}

export interface Team {
  id: string;
  name: string;
  members: Member[];
  /** Bumped by every change; a write succeeds only against the revision it read. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

interface TeamDocument {
  _id: string;
  name: string;
  members: Member[];
  revision: number;
  createdAt: Date;
  updatedAt: Date;
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
  },
  { collection: 'teams', timestamps: true, versionKey: false },
);
teamSchema.index({ 'members.userId': 1 });
teamSchema.index({ createdAt: -1, _id: -1 });

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

/** What a change to a team sets; computed from the team as last read. */
export interface TeamChange {
  name?: string;
  members?: Member[];
}

const MAX_CHANGE_ATTEMPTS = 5;

/**
 * The teams service's data access. Members live inside the team document, so every change to a
 * team is a single-document write (no multi-document transaction, which FerretDB lacks).
 * Concurrent changes to one team are serialized two ways: across processes by the `revision`
 * compare-and-set (atomic on MongoDB), and within this process by a per-team queue, because
 * FerretDB 1.x applies updates as unlocked read-modify-write and would let two writers both win.
 */
export class TeamStore {
  private readonly teams: Model<TeamDocument>;
  private readonly changing = new KeyedQueue();

  constructor(connection: Connection) {
    this.teams = connection.model<TeamDocument>('Team', teamSchema);
  }

  async init(): Promise<void> {
    await this.teams.createIndexes();
  }

  async findByIds(ids: readonly string[]): Promise<Team[]> {
    const docs = await this.teams.find({ _id: { $in: ids } }).lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  /** Every team any of `userIds` belongs to, in one query. */
  async findByMembers(userIds: readonly string[]): Promise<Team[]> {
    const docs = await this.teams
      .find({ 'members.userId': { $in: userIds } })
      .sort(NEWEST_FIRST)
      .lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  async list(page: Page): Promise<Team[]> {
    const docs = await this.teams
      .find(afterCursorFilter(page.after))
      .sort(NEWEST_FIRST)
      .limit(page.limit + 1)
      .lean<TeamDocument[]>();
    return docs.map(toTeam);
  }

  async create(name: string, ownerId: string): Promise<Team> {
    const now = new Date();
    const [doc] = await this.teams.create([{ _id: newId(), name, members: [{ userId: ownerId, role: 'OWNER', joinedAt: now }], revision: 0 }]);
    return toTeam(doc!.toObject());
  }

  /**
   * Applies `decide` to the current team and writes its result only if nobody changed the team in
   * between; otherwise re-reads and decides again. `decide` throws to refuse the change.
   * Returns null when the team does not exist.
   */
  change(id: string, decide: (team: Team) => TeamChange): Promise<Team | null> {
    return this.changing.run(id, () => this.compareAndSet(id, decide));
  }

  private async compareAndSet(id: string, decide: (team: Team) => TeamChange): Promise<Team | null> {
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      const [team] = await this.findByIds([id]);
      if (!team) return null;
      const change = decide(team);
      const result = await this.teams.updateOne(
        { _id: id, revision: team.revision },
        { $set: { ...change, revision: team.revision + 1 } },
      );
      if (result.matchedCount === 1) {
        const [updated] = await this.findByIds([id]);
        if (updated) return updated;
      }
    }
    throw conflict('the team is being changed by someone else at the same time; try again');
  }

  /** Returns false when no team had the id. */
  async delete(id: string): Promise<boolean> {
    const result = await this.teams.deleteOne({ _id: id });
    return result.deletedCount === 1;
  }
}
