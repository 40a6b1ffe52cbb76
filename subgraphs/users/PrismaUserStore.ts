import { sqltag as sql } from '@prisma/client/runtime/client';
import { conflict } from '../../lib/errors';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import { PrismaOutbox, writeOutbox } from '../../lib/events/PrismaOutbox';
import type { Page } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/prisma';
import { afterCursorWhere, keysetPages, NEWEST_FIRST_ORDER } from '../../lib/sqlPaging';
import { isId, newId } from '../../lib/validate';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { Prisma, PrismaClient, User as UserRow } from '../../prisma/users/generated/client';
import { tombstoneFields, tombstoneOf, type Credentials, type EndedSessions, type ImportedUser, type NewUser, type NewUserEvents, type SessionsEnd, type User, type UserChanges, type UserMoveRecord, type UserRecord, type UserStatus } from './domain';
import type { UserStore } from './UserStore';

type Tx = Prisma.TransactionClient;

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.emailVerified, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

function toRecord(row: UserRow): UserRecord {
  return { ...toUser(row), passwordHash: row.passwordHash, deletedAt: row.deletedAt };
}

function toMoveRecord(row: UserRow): UserMoveRecord {
  return { ...toRecord(row), sessionsNotBefore: row.sessionsNotBefore, revision: row.revision };
}

const uuids = (ids: readonly string[]) => ids.filter(isId).map((id) => id.toLowerCase());

/** Locks the live user's row for this transaction; false when no live user has the id. */
async function lockLive(tx: Tx, id: string, mode: 'UPDATE' | 'SHARE' = 'UPDATE'): Promise<boolean> {
  const rows =
    mode === 'UPDATE'
      ? await tx.$queryRaw<unknown[]>(sql`SELECT 1 FROM users WHERE id = ${id}::uuid AND deleted_at IS NULL FOR UPDATE`)
      : await tx.$queryRaw<unknown[]>(sql`SELECT 1 FROM users WHERE id = ${id}::uuid AND deleted_at IS NULL FOR SHARE`);
  return rows.length === 1;
}

/**
 * Chooses the instant a write ends the user's sessions at, while the transaction holds the user's
 * row, and commits only once the clock has passed it. A session reads the user under a share lock
 * (findForSession) and is issued with the instant it got the lock: one that read before this
 * write is issued at or before the instant, and refused; one that read after, strictly later.
 */
async function endingSessions<T>(write: (notBefore: Date) => Promise<T>): Promise<T> {
  const notBefore = new Date();
  const result = await write(notBefore);
  while (Date.now() <= notBefore.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
  return result;
}

/**
 * The users' store on PostgreSQL: every write is one transaction with its outbox events, taking
 * the user's row lock; the unique index on email decides between concurrent registrations.
 */
export class PrismaUserStore implements UserStore {
  constructor(private readonly db: PrismaClient) {}

  async findByIds(ids: readonly string[]): Promise<User[]> {
    return (await this.db.user.findMany({ where: { id: { in: uuids(ids) }, deletedAt: null } })).map(toUser);
  }

  async hasLiveUsers(): Promise<boolean> {
    return (await this.db.user.findFirst({ where: { deletedAt: null }, select: { id: true } })) !== null;
  }

  async statusOf(ids: readonly string[]): Promise<Map<string, UserStatus>> {
    const rows = await this.db.user.findMany({ where: { id: { in: uuids(ids) } }, select: { id: true, deletedAt: true } });
    return new Map(rows.map((row) => [row.id, row.deletedAt ? 'deleted' : 'live']));
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    const row = await this.db.user.findFirst({ where: { email, deletedAt: null } });
    return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
  }

  async list(page: Page): Promise<User[]> {
    const rows = await this.db.user.findMany({ where: { AND: [{ deletedAt: null }, afterCursorWhere(page.after)] }, orderBy: NEWEST_FIRST_ORDER, take: page.limit + 1 });
    return rows.map(toUser);
  }

  outbox(): OutboxSource {
    return new PrismaOutbox(this.db);
  }

  async create(input: NewUser & NewUserEvents): Promise<User> {
    const { events, ...fields } = input;
    const id = fields.id ?? newId();
    try {
      return await this.db.$transaction(async (tx) => {
        const row = await tx.user.create({ data: { emailVerified: false, ...fields, id } });
        await writeOutbox(tx, events?.(id) ?? []);
        return toUser(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a user with email ${input.email} already exists`, 'input.email');
      throw error;
    }
  }

  async update(id: string, changes: UserChanges, events: readonly DomainEvent[] = [], sessionsEnd: SessionsEnd = () => []): Promise<{ user: User; sessionsEndedAt: Date | null } | null> {
    if (!isId(id)) return null;
    return this.db.$transaction(async (tx) => {
      if (!(await lockLive(tx, id))) return null;
      const current = await tx.user.findUniqueOrThrow({ where: { id }, select: { role: true } });
      if (!changes.role || current.role === changes.role) {
        const user = await this.write(tx, id, changes, events);
        return { user, sessionsEndedAt: null };
      }
      return endingSessions(async (notBefore) => {
        const user = await this.write(tx, id, { ...changes, sessionsNotBefore: notBefore }, [...events, ...sessionsEnd(notBefore)]);
        return { user, sessionsEndedAt: notBefore };
      });
    });
  }

  private async write(tx: Tx, id: string, data: Prisma.UserUpdateInput, events: readonly DomainEvent[]): Promise<User> {
    // Every change bumps the revision (UserMoveRecord's version rule).
    const row = await tx.user.update({ where: { id }, data: { ...data, revision: { increment: 1 } } });
    await writeOutbox(tx, events);
    return toUser(row);
  }

  async endSessions(id: string, sessionsEnd: SessionsEnd): Promise<Date | null> {
    if (!isId(id)) return null;
    return this.db.$transaction(async (tx) => {
      if (!(await lockLive(tx, id))) return null;
      return endingSessions(async (notBefore) => {
        await this.write(tx, id, { sessionsNotBefore: notBefore }, sessionsEnd(notBefore));
        return notBefore;
      });
    });
  }

  async findForSession(id: string): Promise<{ user: User; readAt: number } | null> {
    if (!isId(id)) return null;
    return this.db.$transaction(async (tx) => {
      if (!(await lockLive(tx, id, 'SHARE'))) return null;
      // After the lock: a write ending sessions committed before it chose an instant already past.
      const readAt = Date.now();
      const row = await tx.user.findUniqueOrThrow({ where: { id } });
      return { user: toUser(row), readAt };
    });
  }

  async sessionsEndedSince(since: Date): Promise<EndedSessions[]> {
    const rows = await this.db.user.findMany({ where: { sessionsNotBefore: { gt: since } }, select: { id: true, sessionsNotBefore: true } });
    return rows.map((row) => ({ userId: row.id, notBefore: row.sessionsNotBefore! }));
  }

  async delete(id: string, sessionsEnd: SessionsEnd = () => []): Promise<Date | null> {
    if (!isId(id)) return null;
    return this.db.$transaction(async (tx) => {
      if (!(await lockLive(tx, id))) return null;
      return endingSessions(async (notBefore) => {
        await this.write(tx, id, { ...tombstoneFields(id), sessionsNotBefore: notBefore }, sessionsEnd(notBefore));
        return notBefore;
      });
    });
  }

  async importUsers(fresh: readonly ImportedUser[], known: readonly ImportedUser[]): Promise<string[]> {
    const conflicts = await this.insertAllButConflicts(fresh);
    if (known.length > 0) {
      await this.db.$transaction(known.map(({ id, ...fields }) => this.db.user.upsert({ where: { id }, create: { id, ...fields }, update: { ...fields, revision: { increment: 1 } } })));
    }
    return conflicts;
  }

  importTombstones(ids: readonly string[]): Promise<string[]> {
    const now = new Date();
    return this.insertAllButConflicts(ids.map((id) => tombstoneOf(id, now)));
  }

  /** One INSERT ... ON CONFLICT DO NOTHING: a row whose id or email is taken is left out, its id returned. */
  private async insertAllButConflicts(records: readonly (ImportedUser | UserRecord)[]): Promise<string[]> {
    if (records.length === 0) return [];
    const inserted = await this.db.user.createManyAndReturn({ data: records.map((record) => ({ ...record })), skipDuplicates: true, select: { id: true } });
    const done = new Set(inserted.map((row) => row.id));
    return records.map((record) => record.id).filter((id) => !done.has(id));
  }

  async records(ids: readonly string[]): Promise<UserRecord[]> {
    return (await this.db.user.findMany({ where: { id: { in: uuids(ids) } } })).map(toRecord);
  }

  /** Keyset pages on the primary key: a uuid's order is its text's. */
  async *recordsInIdOrder(): AsyncIterable<UserRecord> {
    const rows = keysetPages((after, take) => this.db.user.findMany({ where: after ? { id: { gt: after } } : {}, orderBy: { id: 'asc' }, take }));
    for await (const row of rows) yield toRecord(row);
  }

  async removeRecords(ids: readonly string[], which: 'any' | 'tombstones'): Promise<void> {
    await this.db.user.deleteMany({ where: { id: { in: uuids(ids) }, ...(which === 'tombstones' ? { deletedAt: { not: null } } : {}) } });
  }

  /**
   * The users as the online move copies them (lib/storeMove), tombstones included, the outbox not.
   * Version rule: one INSERT ... ON CONFLICT DO UPDATE per record that only updates a row of a
   * lower revision, so concurrent copies (a mirrored write, the backfill) keep the newest.
   */
  moveAdapter(): MoveAdapter<UserMoveRecord> {
    const db = this.db;
    return {
      scan: async (afterId, limit) => (await db.user.findMany({ where: afterId === null ? {} : { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: limit })).map(toMoveRecord),
      get: async (ids) => (await db.user.findMany({ where: { id: { in: uuids(ids) } } })).map(toMoveRecord),
      count: () => db.user.count(),
      async putIfNewer(records) {
        let changed = 0;
        for (const r of records) {
          changed += await db.$executeRaw(sql`
            INSERT INTO users (id, email, name, role, email_verified, password_hash, created_at, updated_at, deleted_at, sessions_not_before, revision)
            VALUES (${r.id}::uuid, ${r.email}, ${r.name}, ${r.role}::user_role, ${r.emailVerified}, ${r.passwordHash}, ${r.createdAt}, ${r.updatedAt}, ${r.deletedAt}, ${r.sessionsNotBefore}, ${r.revision})
            ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role, email_verified = EXCLUDED.email_verified,
              password_hash = EXCLUDED.password_hash, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, deleted_at = EXCLUDED.deleted_at,
              sessions_not_before = EXCLUDED.sessions_not_before, revision = EXCLUDED.revision
            WHERE users.revision < EXCLUDED.revision`);
        }
        return changed;
      },
    };
  }
}
