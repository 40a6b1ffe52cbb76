import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import { PrismaOutbox, runOnce, writeOutbox } from '../../lib/events/PrismaOutbox';
import type { Prisma, PrismaClient, UserProfile } from '../../prisma/profiles/generated/client';

export type { UserProfile };

export interface ProfileChanges {
  avatarUrl?: string | null;
  phone?: string | null;
  address?: string | null;
  bio?: string | null;
  preferences?: Prisma.InputJsonValue;
}

/** The profile a user gets before they say anything about themselves. */
export const DEFAULT_PREFERENCES = { theme: 'system', language: 'en', notifications: { email: true } } as const;

/** The profiles service's data access: every query it sends to its PostgreSQL database. */
export class ProfileStore {
  constructor(private readonly db: PrismaClient) {}

  findByIds(ids: readonly string[]): Promise<UserProfile[]> {
    return this.db.userProfile.findMany({ where: { id: { in: [...ids] } } });
  }

  findByUserIds(userIds: readonly string[]): Promise<UserProfile[]> {
    return this.db.userProfile.findMany({ where: { userId: { in: [...userIds] } } });
  }

  /**
   * Makes a default profile for each user that has none (a concurrent creation is not an error:
   * the unique user id keeps one profile per user) and returns the users' profiles.
   */
  async createDefaults(userIds: readonly string[]): Promise<UserProfile[]> {
    await this.db.userProfile.createMany({
      data: userIds.map((userId) => ({ id: newId(), userId, preferences: DEFAULT_PREFERENCES })),
      skipDuplicates: true,
    });
    return this.findByUserIds(userIds);
  }

  /**
   * Runs an event's effect once: the event id is recorded in the same transaction, so a
   * redelivered event (or one whose first delivery crashed before committing) changes nothing.
   * Returns false when the event had already been handled.
   */
  async once(event: { id: string; type: string }, effect: (tx: Prisma.TransactionClient) => Promise<unknown>): Promise<boolean> {
    return runOnce<Prisma.TransactionClient>(this.db, event, effect);
  }

  /** A default profile for a user who has none (a new registration); nothing if one exists or the user was deleted. */
  static async createDefault(tx: Prisma.TransactionClient, userId: string): Promise<void> {
    if (await tx.deletedUser.findUnique({ where: { userId } })) return;
    await tx.userProfile.createMany({ data: [{ id: newId(), userId, preferences: DEFAULT_PREFERENCES }], skipDuplicates: true });
  }

  /** A deleted user's profile goes with them (user.deleted, and the integrity repair). */
  static async deleteOf(tx: Prisma.TransactionClient, userId: string): Promise<number> {
    await tx.deletedUser.createMany({ data: [{ userId }], skipDuplicates: true });
    return (await tx.userProfile.deleteMany({ where: { userId } })).count;
  }

  /** Applies the changes to the user's profile, creating it with defaults first if needed; `audit` is written with it. */
  update(userId: string, changes: ProfileChanges, audit: AuditFor): Promise<UserProfile> {
    return this.db.$transaction(async (tx) => {
      const profile = await tx.userProfile.upsert({
        where: { userId },
        create: { id: newId(), userId, preferences: DEFAULT_PREFERENCES, ...changes },
        update: changes,
      });
      await writeOutbox(tx, [audit(profile.id)]);
      return profile;
    });
  }

  outbox(): PrismaOutbox {
    return new PrismaOutbox(this.db);
  }
}
