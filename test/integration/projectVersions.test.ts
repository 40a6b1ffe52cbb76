import { createPrismaClient } from '../../lib/prisma';
import { newId } from '../../lib/validate';
import { PrismaClient } from '../../prisma/projects/generated/client';
import { ProjectStore } from '../../subgraphs/projects/store';
import type { ServiceDatabases } from '../../scripts/seed';
import { createDatabases, dropDatabases } from '../support/stack';
import { testAudit } from '../support/audit';

const audit = testAudit('projects', 'commitProjectVersion', 'ProjectVersion');

let databases: ServiceDatabases;
let db: PrismaClient;
let store: ProjectStore;

beforeAll(async () => {
  databases = await createDatabases();
  db = createPrismaClient(PrismaClient, databases.projectsUrl);
  store = new ProjectStore(db);
});

afterAll(async () => {
  await db?.$disconnect();
  if (databases) await dropDatabases(databases);
});

describe('ProjectStore.commitVersion', () => {
  it('numbers 20 concurrent commits to one project exactly 1..20', async () => {
    const project = await store.create({ name: 'Concurrent', type: 'GRAPHQL', ownerId: newId(), teamId: null }, audit);
    const authorId = newId();
    const versions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.commitVersion({ projectId: project.id, document: { commit: i }, message: `commit ${i}`, authorId }, audit)),
    );

    const numbers = versions.map((version) => version?.number);
    expect([...numbers].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // What was returned is what was stored, and each commit's document sits under its own number.
    const stored = await db.projectVersion.findMany({ where: { projectId: project.id }, orderBy: { number: 'asc' } });
    expect(stored.map((version) => version.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const version of versions) {
      const row = stored.find((candidate) => candidate.id === version!.id)!;
      expect(row.number).toBe(version!.number);
      expect(row.document).toEqual(version!.document);
      expect(row.message).toBe(`commit ${(version!.document as { commit: number }).commit}`);
    }
    expect((await db.project.findUniqueOrThrow({ where: { id: project.id } })).versionCount).toBe(20);
    // Each commit wrote its audit event with it (the outbox is only relayed by a running service).
    const audited = await db.outboxEvent.findMany({ where: { type: 'audit.recorded' } });
    const ids = new Set(audited.map((row) => (row.event as { payload: { resourceId: string } }).payload.resourceId));
    for (const version of versions) expect(ids.has(version!.id)).toBe(true);
  });

  it('numbers each project on its own', async () => {
    const [a, b] = await Promise.all([
      store.create({ name: 'A', type: 'REST', ownerId: newId(), teamId: null }, audit),
      store.create({ name: 'B', type: 'REST', ownerId: newId(), teamId: null }, audit),
    ]);
    const authorId = newId();
    const commits = await Promise.all(
      [a, b, a, b, a].map((project) => store.commitVersion({ projectId: project.id, document: {}, message: null, authorId }, audit)),
    );
    const numbersOf = (projectId: string) => commits.filter((version) => version!.projectId === projectId).map((version) => version!.number).sort();
    expect(numbersOf(a.id)).toEqual([1, 2, 3]);
    expect(numbersOf(b.id)).toEqual([1, 2]);
  });

  it('returns null for a project that does not exist, and writes nothing', async () => {
    const versionsBefore = await db.projectVersion.count();
    const projectsBefore = await db.project.count();
    const outboxBefore = await db.outboxEvent.count();
    const missing = newId();

    await expect(store.commitVersion({ projectId: missing, document: { a: 1 }, message: 'nowhere', authorId: newId() }, audit)).resolves.toBeNull();

    expect(await db.projectVersion.count()).toBe(versionsBefore);
    expect(await db.projectVersion.count({ where: { projectId: missing } })).toBe(0);
    expect(await db.project.count()).toBe(projectsBefore);
    expect(await db.outboxEvent.count()).toBe(outboxBefore);
  });
});
