import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { AuditFor } from '../../lib/events/audit';
import { PrismaOutbox, runOnce, writeOutbox } from '../../lib/events/PrismaOutbox';
import type { JsonObject } from '../../lib/json';
import type { Reference } from '../../lib/references';
import { sqlReferences } from '../../lib/sqlReferences';
import { newId } from '../../lib/validate';
import type { Prisma, PrismaClient, UserProfile as ProfileModel } from '../../prisma/profiles/generated/client';
import { DEFAULT_PREFERENCES, type UserProfile } from './domain';
import type { ProfileChanges, ProfileRules, ProfileStore } from './ProfileStore';

function toProfile(model: ProfileModel): UserProfile {
  return {
    id: model.id,
    userId: model.userId,
    avatarUrl: model.avatarUrl,
    phone: model.phone,
    address: model.address,
    bio: model.bio,
    preferences: model.preferences as JsonObject,
    createdAt: model.createdAt,
    updatedAt: model.updatedAt,
  };
}

/** The rules inside one transaction; `deleted_users` remembers whom user.registered must not bring back. */
class PrismaProfileRules implements ProfileRules {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  async createDefault(userId: string): Promise<void> {
    if (await this.tx.deletedUser.findUnique({ where: { userId } })) return;
    await this.tx.userProfile.createMany({ data: [{ id: newId(), userId, preferences: DEFAULT_PREFERENCES }], skipDuplicates: true });
  }

  async forgetUser(userId: string): Promise<number> {
    await this.tx.deletedUser.createMany({ data: [{ userId }], skipDuplicates: true });
    return (await this.tx.userProfile.deleteMany({ where: { userId } })).count;
  }
}

/** The profiles in the service's own PostgreSQL database, through Prisma. */
export class PrismaProfileStore implements ProfileStore {
  constructor(private readonly db: PrismaClient) {}

  async findByIds(ids: readonly string[]): Promise<UserProfile[]> {
    return (await this.db.userProfile.findMany({ where: { id: { in: [...ids] } } })).map(toProfile);
  }

  async findByUserIds(userIds: readonly string[]): Promise<UserProfile[]> {
    return (await this.db.userProfile.findMany({ where: { userId: { in: [...userIds] } } })).map(toProfile);
  }

  /** The unique user id keeps one profile per user; a concurrent creation is skipped. */
  async createDefaults(userIds: readonly string[]): Promise<UserProfile[]> {
    await this.db.userProfile.createMany({
      data: userIds.map((userId) => ({ id: newId(), userId, preferences: DEFAULT_PREFERENCES })),
      skipDuplicates: true,
    });
    return this.findByUserIds(userIds);
  }

  update(userId: string, changes: ProfileChanges, audit: AuditFor): Promise<UserProfile> {
    return this.db.$transaction(async (tx) => {
      const profile = await tx.userProfile.upsert({
        where: { userId },
        create: { id: newId(), userId, preferences: DEFAULT_PREFERENCES, ...changes },
        update: changes,
      });
      await writeOutbox(tx, [audit(profile.id)]);
      return toProfile(profile);
    });
  }

  createDefault(userId: string): Promise<void> {
    return this.db.$transaction((tx) => new PrismaProfileRules(tx).createDefault(userId));
  }

  forgetUser(userId: string): Promise<number> {
    return this.db.$transaction((tx) => new PrismaProfileRules(tx).forgetUser(userId));
  }

  /** The event id goes into `processed_events` in the transaction of the effect. */
  once(event: Pick<DomainEvent, 'id' | 'type'>, effect: (rules: ProfileRules) => Promise<unknown>): Promise<boolean> {
    return runOnce<Prisma.TransactionClient>(this.db, event, (tx) => effect(new PrismaProfileRules(tx)));
  }

  outbox(): PrismaOutbox {
    return new PrismaOutbox(this.db);
  }

  countReferences(_kind: 'user'): Promise<number> {
    return sqlReferences(this.db, 'user_profiles', 'user_id').count();
  }

  scanReferences(_kind: 'user', after: string | null, limit: number): Promise<Reference[]> {
    return sqlReferences(this.db, 'user_profiles', 'user_id').scan(after, limit);
  }
}
