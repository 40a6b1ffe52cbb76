import { domainEvent } from '../../lib/events/DomainEvent';
import type { Page } from '../../lib/pagination';
import { newId } from '../../lib/validate';
import type { Project } from '../../subgraphs/projects/domain';
import type { NewProject, ProjectStore } from '../../subgraphs/projects/ProjectStore';
import { auditedResources, testAudit } from '../support/audit';
import { openPrismaProjectStore } from '../support/prismaStores';
import { describeStoreContract } from '../support/storeContract';

/** The projects store's contract, the same tests for every implementation (today: PostgreSQL through Prisma). */
const audit = testAudit('projects', 'commitProjectVersion', 'ProjectVersion');
const firstPage = (limit: number): Page => ({ limit, after: null });

describeStoreContract<ProjectStore>('ProjectStore', { prisma: openPrismaProjectStore }, (store) => {
  const project = (overrides: Partial<NewProject> = {}) =>
    store().create({ name: 'P', type: 'GRAPHQL', ownerId: newId(), teamId: null, ...overrides }, audit);
  const one = async (id: string): Promise<Project | null> => (await store().findByIds([id]))[0] ?? null;
  const commit = (projectId: string, authorId: string | null = newId()) =>
    store().commitVersion({ projectId, document: { types: {} }, message: null, authorId }, audit);

  describe('projects', () => {
    it('creates, finds, changes and deletes a project, each with its audit event', async () => {
      const teamId = newId();
      const created = await project({ name: 'Shop', type: 'REST', teamId });
      expect(created).toMatchObject({ name: 'Shop', type: 'REST', teamId, versionCount: 0 });
      expect(await one(created.id)).toEqual(created);

      const changed = await store().update(created.id, { name: 'Shop 2', teamId: null }, audit);
      expect(changed).toMatchObject({ id: created.id, name: 'Shop 2', type: 'REST', ownerId: created.ownerId, teamId: null });
      expect(await one(created.id)).toEqual(changed);

      await commit(created.id);
      expect(await store().delete(created.id, audit)).toBe(true);
      expect(await one(created.id)).toBeNull();
      expect(await store().versionPages([created.id], firstPage(10))).toEqual([]);
      expect((await auditedResources(store().outbox())).has(created.id)).toBe(true);
    });

    it('reports a missing project: update gives null, delete false', async () => {
      await expect(store().update(newId(), { name: 'x' }, audit)).resolves.toBeNull();
      await expect(store().delete(newId(), audit)).resolves.toBe(false);
    });

    it('lists by filter and scope, newest first, one row beyond the page', async () => {
      const [owner, teamId] = [newId(), newId()];
      const mine = await project({ ownerId: owner });
      const ours = await project({ ownerId: newId(), teamId });
      const theirs = await project({ ownerId: newId(), teamId: newId() });
      const ids = (rows: Project[]) => rows.map((row) => row.id).filter((id) => [mine.id, ours.id, theirs.id].includes(id));

      expect(ids(await store().list({ ownerId: owner }, firstPage(10), null))).toEqual([mine.id]);
      expect(ids(await store().list({ teamId }, firstPage(10), null))).toEqual([ours.id]);
      const scope = { ownerId: owner, teamIds: [teamId] };
      expect(ids(await store().list({}, firstPage(100), scope)).sort()).toEqual([mine.id, ours.id].sort());
      expect(ids(await store().list({}, firstPage(100), { ownerId: null, teamIds: [] }))).toEqual([]);
      expect(await store().list({ ownerId: owner }, firstPage(0), null)).toHaveLength(1);
    });

    it('pages projects per owner (within a scope) and per team, for many at once', async () => {
      const [ann, bob, teamId] = [newId(), newId(), newId()];
      const annPersonal = await project({ ownerId: ann });
      const annInTeam = await project({ ownerId: ann, teamId });
      const bobInTeam = await project({ ownerId: bob, teamId });
      const of = (rows: { parentId: string; row: Project }[], parent: string) => rows.filter((tagged) => tagged.parentId === parent).map((tagged) => tagged.row.id);

      const byOwner = await store().pagesByOwner([ann, bob], firstPage(10), null);
      expect(of(byOwner, ann).sort()).toEqual([annPersonal.id, annInTeam.id].sort());
      expect(of(byOwner, bob)).toEqual([bobInTeam.id]);
      const scoped = await store().pagesByOwner([ann, bob], firstPage(10), { ownerId: bob, teamIds: [teamId] });
      expect(of(scoped, ann)).toEqual([annInTeam.id]);
      expect(of(scoped, bob)).toEqual([bobInTeam.id]);
      const byTeam = await store().pagesByTeam([teamId], firstPage(1));
      expect(of(byTeam, teamId)).toHaveLength(2);
    });
  });

  describe('versions', () => {
    it('numbers 20 concurrent commits to one project exactly 1..20, and keeps each as returned', async () => {
      const { id } = await project();
      const authorId = newId();
      const versions = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store().commitVersion({ projectId: id, document: { commit: i }, message: `commit ${i}`, authorId }, audit)),
      );

      expect(versions.map((version) => version!.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const stored = await store().findVersionsByIds(versions.map((version) => version!.id));
      expect(stored.sort((a, b) => a.number - b.number).map((version) => version.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const version of versions) {
        expect(stored.find((candidate) => candidate.id === version!.id)).toEqual(version);
        expect(version!.message).toBe(`commit ${(version!.document as { commit: number }).commit}`);
      }
      const after = await one(id);
      expect(after!.versionCount).toBe(20);
      expect((await store().latestVersions([after!]))[0]).toMatchObject({ projectId: id, number: 20 });
      const audited = await auditedResources(store().outbox());
      for (const version of versions) expect(audited.has(version!.id)).toBe(true);
    });

    it('numbers each project on its own', async () => {
      const [a, b] = await Promise.all([project(), project()]);
      const commits = await Promise.all([a, b, a, b, a].map((target) => commit(target.id)));
      const numbersOf = (projectId: string) => commits.filter((version) => version!.projectId === projectId).map((version) => version!.number).sort();
      expect(numbersOf(a.id)).toEqual([1, 2, 3]);
      expect(numbersOf(b.id)).toEqual([1, 2]);
      expect((await store().latestVersions([{ id: a.id, versionCount: 3 }, { id: b.id, versionCount: 2 }, { id: newId(), versionCount: 0 }])).map((version) => version.number).sort()).toEqual([2, 3]);
    });

    it('gives the latest versions without their documents when asked so, and otherwise the same', async () => {
      const [a, b] = await Promise.all([project(), project()]);
      for (const target of [a, b, a]) await commit(target.id);
      const projects = [{ id: a.id, versionCount: 2 }, { id: b.id, versionCount: 1 }, { id: newId(), versionCount: 0 }];
      const byProject = <V extends { projectId: string }>(versions: V[]) => [...versions].sort((x, y) => (x.projectId < y.projectId ? -1 : 1));
      const full = byProject(await store().latestVersions(projects));
      const summaries = byProject(await store().latestVersionSummaries(projects));
      expect(full).toHaveLength(2);
      expect(summaries).toEqual(full.map(({ document: _document, ...summary }) => summary));
      for (const summary of summaries) expect(summary).not.toHaveProperty('document');
    });

    it('commits nothing to a project that does not exist', async () => {
      const auditedBefore = (await store().outbox().pending(100_000)).length;
      await expect(commit(newId())).resolves.toBeNull();
      expect((await store().outbox().pending(100_000)).length).toBe(auditedBefore);
    });

    it('pages versions newest first, after a cursor', async () => {
      const { id } = await project();
      for (let i = 0; i < 3; i += 1) await commit(id);
      const first = await store().versionPages([id], firstPage(1));
      expect(first.map((tagged) => tagged.row.number)).toEqual([3, 2]);
      const newest = first[0]!.row;
      const rest = await store().versionPages([id], { limit: 5, after: { createdAt: newest.createdAt, id: newest.id } });
      expect(rest.map((tagged) => tagged.row.number)).toEqual([2, 1]);
    });
  });

  describe('delete rules', () => {
    it("a deleted user's personal projects go, team projects stay without an owner, their versions lose the author", async () => {
      const [gone, other, teamId] = [newId(), newId(), newId()];
      const personal = await project({ ownerId: gone });
      const inTeam = await project({ ownerId: gone, teamId });
      const othersProject = await project({ ownerId: other, teamId });
      const written = await commit(othersProject.id, gone);

      const done = await store().forgetUser(gone);

      expect(done).toEqual({ deleted: 1, detached: 1, versionsReassigned: 1 });
      expect(await one(personal.id)).toBeNull();
      expect(await one(inTeam.id)).toMatchObject({ ownerId: null, teamId });
      expect((await store().findVersionsByIds([written!.id]))[0]).toMatchObject({ authorId: null });
      expect(await store().forgetUser(gone)).toEqual({ deleted: 0, detached: 0, versionsReassigned: 0 });
    });

    it("a deleted team's projects go back to their owners; one without an owner goes", async () => {
      const teamId = newId();
      const owned = await project({ teamId });
      const ownerless = await project({ teamId });
      await store().forgetUser(ownerless.ownerId!);

      expect(await store().forgetTeam(teamId)).toMatchObject({ deleted: 1, detached: 1 });
      expect(await one(owned.id)).toMatchObject({ ownerId: owned.ownerId, teamId: null });
      expect(await one(ownerless.id)).toBeNull();
    });

    it('the owner and the team of one project deleted at once: the project goes, whichever lands last', async () => {
      for (let round = 0; round < 5; round += 1) {
        const teamId = newId();
        const shared = await project({ teamId });
        await Promise.all([store().forgetUser(shared.ownerId!), store().forgetTeam(teamId)]);
        expect(await one(shared.id)).toBeNull();
      }
    });
  });

  describe('events, once each', () => {
    it('applies an effect once per event id; a redelivery changes nothing', async () => {
      const gone = newId();
      const personal = await project({ ownerId: gone });
      const event = domainEvent('users', 'user.deleted', { userId: gone });

      await expect(store().once(event, (rules) => rules.forgetUser(gone))).resolves.toBe(true);
      expect(await one(personal.id)).toBeNull();
      const again = await project({ ownerId: gone });
      await expect(store().once(event, (rules) => rules.forgetUser(gone))).resolves.toBe(false);
      expect(await one(again.id)).not.toBeNull();
    });

    it('an effect that fails halfway leaves nothing behind, and the event is handled when it comes again', async () => {
      const teamId = newId();
      const inTeam = await project({ teamId });
      const event = domainEvent('teams', 'team.deleted', { teamId });
      const crashing = store().once(event, async (rules) => {
        await rules.forgetTeam(teamId);
        throw new Error('crashed halfway');
      });
      await expect(crashing).rejects.toThrow('crashed halfway');
      expect(await one(inTeam.id)).toMatchObject({ teamId });

      await expect(store().once(event, (rules) => rules.forgetTeam(teamId))).resolves.toBe(true);
      expect(await one(inTeam.id)).toMatchObject({ teamId: null });
    });
  });

  describe('references', () => {
    it('lists owners, teams and version authors in id order, in keyset pages', async () => {
      const before = { owner: await store().countReferences('owner'), team: await store().countReferences('team'), versionAuthor: await store().countReferences('versionAuthor') };
      const teamId = newId();
      const made = [await project({ teamId }), await project()];
      const version = await commit(made[0]!.id);
      expect(await store().countReferences('owner')).toBe(before.owner + 2);
      expect(await store().countReferences('team')).toBe(before.team + 1);
      expect(await store().countReferences('versionAuthor')).toBe(before.versionAuthor + 1);

      const scanAll = async (kind: 'owner' | 'team' | 'versionAuthor') => {
        const seen: { source: string; target: string }[] = [];
        for (let after: string | null = null; ; ) {
          const page = await store().scanReferences(kind, after, 2);
          if (page.length === 0) return seen;
          seen.push(...page);
          after = page.at(-1)!.source;
        }
      };
      const owners = await scanAll('owner');
      expect(owners).toHaveLength(before.owner + 2);
      expect(owners.map((reference) => reference.source)).toEqual(owners.map((reference) => reference.source).sort());
      for (const made_ of made) expect(owners).toContainEqual({ source: made_.id, target: made_.ownerId });
      expect(await scanAll('team')).toContainEqual({ source: made[0]!.id, target: teamId });
      expect(await scanAll('versionAuthor')).toContainEqual({ source: version!.id, target: version!.authorId });
    });
  });
});
