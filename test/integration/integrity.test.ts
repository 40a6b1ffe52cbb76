import { openStores, type OpenStores } from '../../integrity/stores';
import { newId } from '../../lib/validate';
import type { ServiceDatabases } from '../../scripts/seed';
import { testAudit } from '../support/audit';
import { integrityJson, orphanCounts, runIntegrity } from '../support/integrity';
import { createDatabases, dropDatabases } from '../support/stack';

/**
 * The integrity command against real stores with orphans planted behind the services' backs (as a
 * lost event or a restore from backup would leave them): it reports them with counts and examples,
 * repairs what the delete rules cover, and proves the result with a second pass.
 */
let databases: ServiceDatabases;
let stores: OpenStores;

const ghost = newId(); // never a user
const audit = testAudit('test', 'test', 'Test');
let alive: string;
let gone: string;
type Planted = 'teamA' | 'teamB' | 'ghostsPersonal' | 'inTeamB' | 'inUnknownTeam' | 'fine' | 'fromGone' | 'toGhost';
const ids = {} as Record<Planted, string>;

beforeAll(async () => {
  databases = await createDatabases();
  stores = await openStores(databases);
  alive = (await stores.users.create({ email: `alive.${newId()}@example.test`, name: 'Alive', role: 'CUSTOMER' })).id;
  gone = (await stores.users.create({ email: `gone.${newId()}@example.test`, name: 'Gone', role: 'CUSTOMER' })).id;
  await stores.users.delete(gone);

  // Team A: alive OWNER, the ghost an ADMIN. Team B: only the deleted user.
  ids.teamA = (await stores.teams.create('A', alive, audit)).id;
  await stores.teams.change(ids.teamA, (team) => ({ members: [...team.members, { userId: ghost, role: 'ADMIN', joinedAt: new Date() }] }));
  ids.teamB = (await stores.teams.create('B', gone, audit)).id;

  // Through the stores, which check no references (the services do, before they write).
  const project = (data: { ownerId: string; teamId: string | null }) =>
    stores.projects.create({ name: 'p', type: 'GRAPHQL', ...data }, audit).then((row) => row.id);
  ids.ghostsPersonal = await project({ ownerId: ghost, teamId: null });
  ids.inTeamB = await project({ ownerId: alive, teamId: ids.teamB });
  ids.inUnknownTeam = await project({ ownerId: alive, teamId: newId() });
  ids.fine = await project({ ownerId: alive, teamId: ids.teamA });
  await stores.projects.commitVersion({ projectId: ids.fine, document: {}, message: null, authorId: ghost }, audit);

  const payment = (senderId: string, recipientId: string) =>
    stores.payments
      .create({ senderId, recipientId, amount: '1.00', currency: 'EUR', type: 'INSTANT', description: null, metadata: null, idempotencyKey: null, requestFingerprint: newId() }, audit)
      .then((outcome) => outcome.payment.id);
  ids.fromGone = await payment(gone, alive);
  ids.toGhost = await payment(alive, ghost);

  await stores.profiles.createDefaults([ghost, alive]);
});

afterAll(async () => {
  await stores?.close();
  if (databases) await dropDatabases(databases);
});

test('reports every orphan with counts and examples, and changes nothing', async () => {
  const report = await integrityJson(databases);
  expect(report.code).toBe(1);
  expect(orphanCounts(report.found)).toEqual({
    'teams.members → users': 2, // the ghost in A, the deleted user in B
    'projects.owner_id → users': 1,
    'projects.team_id → teams': 1,
    'project_versions.author_id → users': 1,
    'payments.recipient_id → users': 1,
    'user_profiles.user_id → users': 1,
  });
  const byName = Object.fromEntries(report.found.map((r) => [r.name, r]));
  expect(byName['payments.sender_id → users']!.kept).toBe(1);
  expect(byName['projects.owner_id → users']!.examples).toEqual([{ source: ids.ghostsPersonal, target: ghost, reason: 'unknown' }]);
  expect(byName['teams.members → users']!.examples).toEqual(
    expect.arrayContaining([
      { source: ids.teamA, target: ghost, reason: 'unknown' },
      { source: ids.teamB, target: gone, reason: 'deleted' },
    ]),
  );
  // A check only looks: the same orphans are there for the next run.
  expect(orphanCounts((await integrityJson(databases)).found)).toEqual(orphanCounts(report.found));

  const text = await runIntegrity(databases, ['--quiet']);
  expect(text.code).toBe(1);
  expect(text.stdout).toMatch(/^projects\.owner_id → users\s+4 references\s+1 orphans$/m);
  expect(text.stdout).toContain(`e.g. ${ids.ghostsPersonal} → ${ghost} (no such id)`);
  expect(text.stdout).toMatch(/7 orphans; `--repair` applies the rules\.$/m);
});

test('--repair applies the delete rules batch by batch, then proves what is left', async () => {
  const report = await integrityJson(databases, ['--repair', '--batch-size', '1']);
  // Payments are never changed: the payment to an id that never was a user is left for a person.
  expect(orphanCounts(report.left!)).toEqual({ 'payments.recipient_id → users': 1 });
  expect(report.orphansLeft).toBe(1);
  expect(report.code).toBe(1);

  const team = async (id: string) => (await stores.teams.findByIds([id]))[0] ?? null;
  expect((await team(ids.teamA))!.members.map((m) => [m.userId, m.role])).toEqual([[alive, 'OWNER']]);
  expect(await team(ids.teamB)).toBeNull(); // nobody left: deleted
  const project = async (id: string) => (await stores.projects.findByIds([id]))[0] ?? null;
  expect(await project(ids.ghostsPersonal)).toBeNull();
  expect(await project(ids.inTeamB)).toMatchObject({ ownerId: alive, teamId: null });
  expect(await project(ids.inUnknownTeam)).toMatchObject({ ownerId: alive, teamId: null });
  expect(await project(ids.fine)).toMatchObject({ ownerId: alive, teamId: ids.teamA });
  const [version] = await stores.projects.versionPages([ids.fine], { limit: 10, after: null });
  expect(version!.row.authorId).toBeNull();
  expect(await stores.payments.findByIds([ids.fromGone, ids.toGhost])).toHaveLength(2);
  expect(await stores.profiles.findByUserIds([ghost])).toHaveLength(0);
  expect(await stores.profiles.findByUserIds([alive])).toHaveLength(1);
});

test('bad options and missing configuration are refused, naming what is wrong', async () => {
  const bad = await runIntegrity(databases, ['--batch-size', '0']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--batch-size must be a whole number from 1 to 10000, not "0"');
  const unknown = await runIntegrity(databases, ['--fix']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown option '--fix'/);
  const unconfigured = await runIntegrity({ ...databases, projectsUrl: '' }, []);
  expect(unconfigured.code).toBe(3);
  expect(unconfigured.stderr).toContain('set PROJECTS_DATABASE_URL');
});
