import { Schema, type Connection, type Model } from 'mongoose';
import { afterCursorFilter, idIn, insertAllButDuplicates, isDuplicateKeyError, NEWEST_FIRST } from '../../lib/mongo';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/validate';
import { KeyedQueue } from '../../lib/KeyedQueue';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import { MongoOutbox, outboxFields, updateWithEvents, withEvents, type WithOutbox } from '../../lib/events/MongoOutbox';
import type { Page } from '../../lib/pagination';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { Credentials, EndedSessions, ImportedUser, NewUser, NewUserEvents, Role, SessionsEnd, User, UserChanges, UserMoveRecord, UserRecord, UserStatus } from './domain';
import { ROLES, tombstoneFields, tombstoneOf } from './domain';
import type { UserStore } from './UserStore';

interface UserDocument extends WithOutbox {
  _id: string;
  /** Argon2id hash; never leaves this service (not part of `User`). */
  passwordHash?: string | null;
  email: string;
  name: string | null;
  role: Role;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Set when the user was deleted: the document stays as a tombstone without personal data. */
  deletedAt?: Date | null;
  /**
   * When the user's sessions last ended (role change, deletion, logout everywhere): access tokens
   * issued at or before it are refused. Written with the change and its user.access-changed event.
   */
  sessionsNotBefore?: Date;
  /** Bumped by every write: of two copies of the user (an online move), the higher is newer. Absent: 0. */
  revision?: number;
}

const userSchema = new Schema<UserDocument>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    name: { type: String, default: null },
    role: { type: String, enum: ROLES, required: true },
    emailVerified: { type: Boolean, default: false },
    passwordHash: { type: String, default: null },
    deletedAt: { type: Date, default: undefined },
    sessionsNotBefore: { type: Date, default: undefined },
    revision: { type: Number, default: 0 },
    ...outboxFields,
  },
  { collection: 'users', timestamps: true, versionKey: false },
);
userSchema.index({ email: 1 }, { unique: true });
// The relay looks for documents with pending events every few hundred milliseconds.
userSchema.index({ hasOutbox: 1 }, { sparse: true });
userSchema.index({ createdAt: -1, _id: -1 });
// Every service asks at start for the sessions ended within the last access-token lifetime.
userSchema.index({ sessionsNotBefore: 1 }, { sparse: true });

function toUser(doc: UserDocument): User {
  return {
    id: doc._id,
    email: doc.email,
    name: doc.name ?? null,
    role: doc.role,
    emailVerified: doc.emailVerified,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toRecord(doc: UserDocument): UserRecord {
  return { ...toUser(doc), passwordHash: doc.passwordHash ?? null, deletedAt: doc.deletedAt ?? null };
}

function toMoveRecord(doc: UserDocument): UserMoveRecord {
  return { ...toRecord(doc), sessionsNotBefore: doc.sessionsNotBefore ?? null, revision: doc.revision ?? 0 };
}

/**
 * Writes one user's record unless the store holds the same or a higher revision: inserted when
 * absent, else a compare-and-set on the revision read. 1 when it was written, else 0.
 */
async function putUserIfNewer(users: Model<UserDocument>, record: UserMoveRecord): Promise<number> {
  const { id, deletedAt, sessionsNotBefore, ...fields } = record;
  const set = { ...fields, ...(deletedAt ? { deletedAt } : {}), ...(sessionsNotBefore ? { sessionsNotBefore } : {}) };
  const unset = { ...(deletedAt ? {} : { deletedAt: 1 }), ...(sessionsNotBefore ? {} : { sessionsNotBefore: 1 }) };
  for (;;) {
    const current = await users.findOne({ _id: id }, { revision: 1 }).lean<{ revision?: number }>();
    if (!current) {
      if ((await insertAllButDuplicates(users, [{ _id: id, ...set }])).length === 0) return 1;
      // Refused: either the user arrived meanwhile (compare again) or another user has the email.
      if (!(await users.exists({ _id: id }))) throw new Error(`user ${id} cannot be copied: another user has its email`);
      continue;
    }
    if ((current.revision ?? 0) >= record.revision) return 0;
    const filter = { _id: id, ...(current.revision === undefined ? { revision: { $exists: false } } : { revision: current.revision }) };
    const result = await users.collection.updateOne(filter as never, { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) } as never);
    if (result.matchedCount === 1) return 1;
  }
}

/** A record as its document: a live user's has no deletedAt at all, as `create` leaves it. */
function toDocument(record: UserRecord | ImportedUser): Record<string, unknown> & { _id: string } {
  const { id, deletedAt, ...fields } = record as UserRecord;
  return { _id: id, ...fields, ...(deletedAt ? { deletedAt } : {}) };
}

/** What every change of a user document adds: its revision goes up (UserMoveRecord's version rule). */
const BUMP = { $inc: { revision: 1 } };

/** Live users only: a deleted user's tombstone is not a user to anyone asking. */
const LIVE = { deletedAt: null };

/** The users' store on MongoDB (FerretDB): every MongoDB query the users service makes about users lives here. */
export class MongoUserStore implements UserStore {
  private readonly users: Model<UserDocument>;

  constructor(connection: Connection) {
    this.users = connection.model<UserDocument>('User', userSchema);
  }

  async init(): Promise<void> {
    await this.users.createIndexes();
  }

  /** One query for any number of ids (the loaders' batch function). */
  async findByIds(ids: readonly string[]): Promise<User[]> {
    const docs = await this.users.find({ _id: idIn(ids), ...LIVE }).lean<UserDocument[]>();
    return docs.map(toUser);
  }

  async hasLiveUsers(): Promise<boolean> {
    return (await this.users.exists(LIVE)) !== null;
  }

  /** Live users and tombstones among `ids`, in one query; ids of neither are absent from the map. */
  async statusOf(ids: readonly string[]): Promise<Map<string, UserStatus>> {
    const docs = await this.users.find({ _id: { $in: ids } }, { _id: 1, deletedAt: 1 }).lean<{ _id: string; deletedAt?: Date | null }[]>();
    return new Map(docs.map((doc) => [doc._id, doc.deletedAt ? 'deleted' : 'live']));
  }

  /** The user with this (lower-cased) email and their password hash, for login only. */
  async findCredentials(email: string): Promise<Credentials | null> {
    const doc = await this.users.findOne({ email, ...LIVE }).lean<UserDocument>();
    return doc ? { user: toUser(doc), passwordHash: doc.passwordHash ?? null } : null;
  }

  async list(page: Page): Promise<User[]> {
    const docs = await this.users
      .find({ ...afterCursorFilter(page.after), ...LIVE })
      .sort(NEWEST_FIRST)
      .limit(page.limit + 1)
      .lean<UserDocument[]>();
    return docs.map(toUser);
  }

  /** Every write to one user document goes through this queue (see MongoOutbox). */
  private readonly writes = new KeyedQueue();

  /** The users' transactional outbox (events written with the user documents). */
  outbox(): MongoOutbox<UserDocument> {
    return new MongoOutbox(this.users, this.writes);
  }

  async create(input: NewUser & NewUserEvents): Promise<User> {
    const { events, ...fields } = input;
    const id = fields.id ?? newId();
    try {
      const [doc] = await this.users.create([{ emailVerified: false, ...fields, _id: id, ...withEvents(...(events?.(id) ?? [])) }]);
      return toUser(doc!.toObject());
    } catch (error) {
      if (isDuplicateKeyError(error)) throw conflict(`a user with email ${input.email} already exists`, 'input.email');
      throw error;
    }
  }

  /**
   * Returns null when no user has the id; `events` are written with the change. A new role also
   * ends the user's sessions (their tokens carry the old one): `sessionsEnd` gives that write's
   * events, and `sessionsEndedAt` says when (null when the role stayed as it was).
   */
  update(id: string, changes: UserChanges, events: readonly DomainEvent[] = [], sessionsEnd: SessionsEnd = () => []): Promise<{ user: User; sessionsEndedAt: Date | null } | null> {
    return this.writes.run(id, async () => {
      const current = changes.role ? await this.users.findOne({ _id: id, ...LIVE }, { role: 1 }).lean<Pick<UserDocument, 'role'>>() : null;
      if (!current || current.role === changes.role) {
        const user = await this.write(id, changes, events);
        return user && { user, sessionsEndedAt: null };
      }
      return this.endingSessions(async (notBefore) => {
        const user = await this.write(id, { ...changes, sessionsNotBefore: notBefore }, [...events, ...sessionsEnd(notBefore)]);
        return user && { user, sessionsEndedAt: notBefore };
      });
    });
  }

  private async write(id: string, set: UserChanges & { sessionsNotBefore?: Date }, events: readonly DomainEvent[]): Promise<User | null> {
    const doc = await this.users.findOneAndUpdate({ _id: id, ...LIVE }, updateWithEvents({ ...set }, events, BUMP), { returnDocument: 'after' }).lean<UserDocument>();
    return doc ? toUser(doc) : null;
  }

  /**
   * Ends every session of the user issued up to now (logout everywhere): when, or null when no
   * live user has the id. `sessionsEnd`'s events are written with it.
   */
  endSessions(id: string, sessionsEnd: SessionsEnd): Promise<Date | null> {
    return this.writes.run(id, () =>
      this.endingSessions(async (notBefore) => ((await this.write(id, { sessionsNotBefore: notBefore }, sessionsEnd(notBefore))) ? notBefore : null)),
    );
  }

  /**
   * Chooses the instant a write ends the user's sessions at, inside the user's write queue, and
   * holds the queue until the clock has passed it. A session reads the user through the same queue
   * and is issued with the instant of that read (findForSession): one that read before this write
   * is issued at or before the instant, and refused; one that read after it, strictly later, with
   * what the write changed.
   */
  private async endingSessions<T>(write: (notBefore: Date) => Promise<T>): Promise<T> {
    const notBefore = new Date();
    const result = await write(notBefore);
    while (Date.now() <= notBefore.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
    return result;
  }

  /**
   * A live user as a new session must see them, and when they were read (ms): the session's issue
   * time. Read in the user's write queue, so that a write ending sessions is wholly before or after.
   */
  findForSession(id: string): Promise<{ user: User; readAt: number } | null> {
    return this.writes.run(id, async () => {
      const readAt = Date.now();
      const doc = await this.users.findOne({ _id: id, ...LIVE }).lean<UserDocument>();
      return doc ? { user: toUser(doc), readAt } : null;
    });
  }

  /** Whose sessions ended after `since`, deleted users included (what every service must keep refusing). */
  async sessionsEndedSince(since: Date): Promise<EndedSessions[]> {
    const docs = await this.users
      .find({ sessionsNotBefore: { $gt: since } }, { _id: 1, sessionsNotBefore: 1 })
      .lean<{ _id: string; sessionsNotBefore: Date }[]>();
    return docs.map((doc) => ({ userId: doc._id, notBefore: doc.sessionsNotBefore }));
  }

  /**
   * Deletes the user, leaving a tombstone: the id and when, nothing personal (the email is replaced
   * so it can be used again); it also ends the user's sessions. `sessionsEnd`'s events (user.deleted,
   * user.access-changed...) are written by the same single-document write. The tombstone makes late
   * lookups answer null and tells the integrity check that a reference points at a deleted user.
   * Returns when the sessions ended, or null when no live user has the id.
   */
  delete(id: string, sessionsEnd: SessionsEnd = () => []): Promise<Date | null> {
    return this.writes.run(id, () =>
      this.endingSessions(async (notBefore) => {
        const result = await this.users.updateOne({ _id: id, ...LIVE }, updateWithEvents({ ...tombstoneFields(id), sessionsNotBefore: notBefore }, sessionsEnd(notBefore), BUMP));
        return result.matchedCount === 1 ? notBefore : null;
      }),
    );
  }

  importUsers(fresh: readonly ImportedUser[], known: readonly ImportedUser[]): Promise<string[]> {
    return this.importDocuments(fresh.map(toDocument), known.map(toDocument));
  }

  importTombstones(ids: readonly string[]): Promise<string[]> {
    const now = new Date();
    return this.importDocuments(ids.map((id) => toDocument(tombstoneOf(id, now))), []);
  }

  /**
   * Fresh documents inserted as they are (no mongoose timestamps: the imported ones are kept);
   * known ones get their fields set, whatever else the document holds (its outbox, sessionsNotBefore).
   */
  private async importDocuments(fresh: (Record<string, unknown> & { _id: string })[], known: (Record<string, unknown> & { _id: string })[]): Promise<string[]> {
    const conflicts = await insertAllButDuplicates(this.users, fresh);
    if (known.length > 0) {
      await this.users.collection.bulkWrite(
        known.map(({ _id, ...fields }) => ({ updateOne: { filter: { _id } as never, update: { $set: fields, ...BUMP } as never, upsert: true } })),
        { ordered: false },
      );
    }
    return conflicts;
  }

  async records(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    return (await this.users.find({ _id: { $in: ids } }).lean<UserDocument[]>()).map(toRecord);
  }

  /** One cursor in `_id` order (FerretDB answers `_id: { $in }` by scanning, so bulk readers read once). */
  async *recordsInIdOrder(): AsyncIterable<UserRecord> {
    for await (const doc of this.users.collection.find({}, { sort: { _id: 1 }, batchSize: 5000 })) yield toRecord(doc as unknown as UserDocument);
  }

  async removeRecords(ids: readonly string[], which: 'any' | 'tombstones'): Promise<void> {
    if (ids.length === 0) return;
    await this.users.deleteMany({ _id: { $in: ids }, ...(which === 'tombstones' ? { deletedAt: { $ne: null } } : {}) });
  }

  /**
   * The users as the online move copies them (lib/storeMove), tombstones included, the outbox not.
   * Version rule: a record is written only over an older revision (or none). The write is a
   * compare-and-set on the revision it read, atomic on MongoDB; on FerretDB it is queued with the
   * service's own writes of the user in this process.
   */
  moveAdapter(): MoveAdapter<UserMoveRecord> {
    const users = this.users;
    const writes = this.writes;
    return {
      scan: async (afterId, limit) => (await users.find(afterId === null ? {} : { _id: { $gt: afterId } }).sort({ _id: 1 }).limit(limit).lean<UserDocument[]>()).map(toMoveRecord),
      get: async (ids) => (ids.length === 0 ? [] : (await users.find({ _id: { $in: [...ids] } }).lean<UserDocument[]>()).map(toMoveRecord)),
      count: () => users.countDocuments({}),
      async putIfNewer(records) {
        let changed = 0;
        for (const record of records) changed += await writes.run(record.id, () => putUserIfNewer(users, record));
        return changed;
      },
    };
  }
}
