import { domainEvent } from '../../lib/events/DomainEvent';
import { newId } from '../../lib/validate';
import { DEFAULT_PREFERENCES } from '../../subgraphs/profiles/domain';
import type { ProfileStore } from '../../subgraphs/profiles/ProfileStore';
import { auditedResources, testAudit } from '../support/audit';
import { openPrismaProfileStore } from '../support/prismaStores';
import { describeStoreContract } from '../support/storeContract';

/** The profiles store's contract, the same tests for every implementation (today: PostgreSQL through Prisma). */
const audit = testAudit('profiles', 'updateProfile', 'UserProfile');

describeStoreContract<ProfileStore>('ProfileStore', { prisma: openPrismaProfileStore }, (store) => {
  const profilesOf = (userId: string) => store().findByUserIds([userId]);

  describe('profiles', () => {
    it('makes default profiles for users who have none, one per user also under concurrent calls', async () => {
      const [ann, bob] = [newId(), newId()];
      const made = await Promise.all(Array.from({ length: 4 }, () => store().createDefaults([ann, bob])));
      for (const profiles of made) expect(profiles.map((profile) => profile.userId).sort()).toEqual([ann, bob].sort());
      const [annProfile] = await profilesOf(ann);
      expect(annProfile).toMatchObject({ userId: ann, avatarUrl: null, phone: null, address: null, bio: null, preferences: DEFAULT_PREFERENCES });
      for (const profiles of made) expect(profiles.find((profile) => profile.userId === ann)).toEqual(annProfile);
      expect(await store().findByIds([annProfile!.id])).toEqual([annProfile]);
    });

    it('updates only the fields given, creating the profile with defaults first, with its audit event', async () => {
      const userId = newId();
      const created = await store().update(userId, { bio: 'Hello', phone: '+44 20 7946 0000' }, audit);
      expect(created).toMatchObject({ userId, bio: 'Hello', phone: '+44 20 7946 0000', address: null, preferences: DEFAULT_PREFERENCES });

      const changed = await store().update(userId, { phone: null, preferences: { theme: 'dark' } }, audit);
      expect(changed).toMatchObject({ id: created.id, bio: 'Hello', phone: null, preferences: { theme: 'dark' } });
      expect(await profilesOf(userId)).toEqual([changed]);
      expect((await auditedResources(store().outbox())).has(created.id)).toBe(true);
    });
  });

  describe('rules, and events once each', () => {
    it('user.registered makes the default profile once; a redelivery changes nothing', async () => {
      const userId = newId();
      const event = domainEvent('users', 'user.registered', { userId });
      await expect(store().once(event, (rules) => rules.createDefault(userId))).resolves.toBe(true);
      const [profile] = await profilesOf(userId);
      expect(profile).toMatchObject({ userId, preferences: DEFAULT_PREFERENCES });
      await expect(store().once(event, (rules) => rules.createDefault(userId))).resolves.toBe(false);
      // A second registration event for a user with a profile keeps the profile as it is.
      await store().update(userId, { bio: 'kept' }, audit);
      await store().createDefault(userId);
      expect(await profilesOf(userId)).toMatchObject([{ id: profile!.id, bio: 'kept' }]);
    });

    it('a deleted user loses the profile, and a user.registered arriving late brings none back', async () => {
      const userId = newId();
      await store().createDefaults([userId]);
      await expect(store().once(domainEvent('users', 'user.deleted', { userId }), (rules) => rules.forgetUser(userId))).resolves.toBe(true);
      expect(await profilesOf(userId)).toEqual([]);
      await store().once(domainEvent('users', 'user.registered', { userId }), (rules) => rules.createDefault(userId));
      expect(await profilesOf(userId)).toEqual([]);
      expect(await store().forgetUser(userId)).toBe(0);
    });

    it('an effect that fails halfway leaves nothing behind, and the event is handled when it comes again', async () => {
      const userId = newId();
      const event = domainEvent('users', 'user.registered', { userId });
      const crashing = store().once(event, async (rules) => {
        await rules.createDefault(userId);
        throw new Error('crashed halfway');
      });
      await expect(crashing).rejects.toThrow('crashed halfway');
      expect(await profilesOf(userId)).toEqual([]);
      await expect(store().once(event, (rules) => rules.createDefault(userId))).resolves.toBe(true);
      expect(await profilesOf(userId)).toHaveLength(1);
    });
  });

  describe('references', () => {
    it("lists every profile with its user, in id order, in keyset pages", async () => {
      const before = await store().countReferences('user');
      const made = await store().createDefaults([newId(), newId(), newId()]);
      expect(await store().countReferences('user')).toBe(before + 3);
      const seen: { source: string; target: string }[] = [];
      for (let after: string | null = null; ; ) {
        const page = await store().scanReferences('user', after, 2);
        if (page.length === 0) break;
        seen.push(...page);
        after = page.at(-1)!.source;
      }
      expect(seen).toHaveLength(before + 3);
      expect(seen.map((reference) => reference.source)).toEqual(seen.map((reference) => reference.source).sort());
      for (const profile of made) expect(seen).toContainEqual({ source: profile.id, target: profile.userId });
    });
  });
});
