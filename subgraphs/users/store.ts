import { Schema, type Connection, type Model } from 'mongoose';
import { afterCursorFilter, isDuplicateKeyError, NEWEST_FIRST } from '../../lib/mongo';
import { conflict } from '../../lib/errors';
import { newId } from '../../lib/validate';
import { KeyedQueue } from '../../lib/KeyedQueue';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import { MongoOutbox, outboxFields, updateWithEvents, withEvents, type WithOutbox } from '../../lib/events/MongoOutbox';
import type { Page } from '../../lib/pagination';

export const ROLES = ['ADMIN', 'CUSTOMER', 'VENDOR'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

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
    ...outboxFields,
  },
  { collection: 'users', timestamps: true, versionKey: false },
);
userSchema.index({ email: 1 }, { unique: true });
// The relay looks for documents with pending events every few hundred milliseconds.
userSchema.index({ hasOutbox: 1 }, { sparse: true });
userSchema.index({ createdAt: -1, _id: -1 });

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

export interface NewUser {
  id?: string;
  email: string;
  name: string;
  role: Role;
  emailVerified?: boolean;
  passwordHash?: string;
}

/**
 * A tombstone's email: unique (the index needs one) and not an email address at all, so no
 * registration can take it and block the deletion, and the user's own address is free again.
 */
const tombstoneEmail = (id: string) => `deleted:${id}`;

/** What deleting a user sets: the tombstone keeps the id and when, nothing personal. */
export function tombstoneFields(id: string) {
  return { deletedAt: new Date(), email: tombstoneEmail(id), name: null, passwordHash: null, emailVerified: false };
}

/** Live users only: a deleted user's tombstone is not a user to anyone asking. */
const LIVE = { deletedAt: null };

/** Whether each id is a user, a deleted user's tombstone, or neither (the integrity check asks). */
export type UserStatus = 'live' | 'deleted';

export interface NewUserEvents {
  /** Builds the events of the new user's creation (they need its id), stored with it. */
  events?: (userId: string) => DomainEvent[];
}

export interface Credentials {
  user: User;
  passwordHash: string | null;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  emailVerified?: boolean;
}

/** The users service's data access: every MongoDB query the service makes lives here. */
export class UserStore {
  private readonly users: Model<UserDocument>;

  constructor(connection: Connection) {
    this.users = connection.model<UserDocument>('User', userSchema);
  }

  async init(): Promise<void> {
    await this.users.createIndexes();
  }

  /** One `$in` query for any number of ids (the loaders' batch function). */
  async findByIds(ids: readonly string[]): Promise<User[]> {
    const docs = await this.users.find({ _id: { $in: ids }, ...LIVE }).lean<UserDocument[]>();
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

  /** Returns null when no user has the id; `events` are written with the change. */
  update(id: string, changes: UserChanges, events: readonly DomainEvent[] = []): Promise<User | null> {
    return this.writes.run(id, async () => {
      const doc = await this.users
        .findOneAndUpdate({ _id: id, ...LIVE }, updateWithEvents({ ...changes }, events), { returnDocument: 'after' })
        .lean<UserDocument>();
      return doc ? toUser(doc) : null;
    });
  }

  /**
   * Deletes the user, leaving a tombstone: the id and when, nothing personal (the email is replaced
   * so it can be used again). `events` (user.deleted...) are written by the same single-document
   * write. The tombstone makes late lookups answer null and tells the integrity check that a
   * reference points at a deleted user. False when no live user has the id.
   */
  delete(id: string, events: readonly DomainEvent[]): Promise<boolean> {
    return this.writes.run(id, async () => {
      const result = await this.users.updateOne(
        { _id: id, ...LIVE },
        updateWithEvents(tombstoneFields(id), events),
      );
      return result.matchedCount === 1;
    });
  }
}
