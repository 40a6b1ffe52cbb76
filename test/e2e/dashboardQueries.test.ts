import { DASHBOARD_FOR_ME } from '../../scripts/dashboardQuery';
import type { SubgraphName } from '../../schema/subgraphs';
import { addMember, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { subgraphsSeeMergedFetches } from '../support/executorEnv';
import { startStack, type Stack } from '../support/stack';

/**
 * The README's dashboard (scripts/dashboardQuery.ts, as the signed-in user: the benchmark's
 * workload) costs one database query per entity type each gateway fetch touches, counted as the
 * drivers report them, through the real gateway and subgraphs:
 *
 * | fetch (service)                                  | entity types                   | queries |
 * |--------------------------------------------------|--------------------------------|--------:|
 * | `me` (users)                                     | User                           | 1 |
 * | `User.teams` (teams)                             | Team                           | 1 |
 * | `User.projects` with latest versions (projects)  | Project, ProjectVersion        | 2 |
 * | `User.profile` (profiles)                        | UserProfile                    | 1 |
 * | `User.payments` sent and received (payments)     | Payment                        | 1 |
 * | `Project.team` (teams)                           | Team                           | 1 |
 * | versions' authors, payments' recipients, payments' senders (users, three fetches) | User | 3 |
 *
 * The gateway's own executor merges those three users fetches into one request (fetch batching,
 * test/e2e/fetchBatching.test.ts): one fetch, one User query.
 */
const EXPECTED: Record<SubgraphName, number> = { users: subgraphsSeeMergedFetches() ? 2 : 4, teams: 2, projects: 2, profiles: 1, payments: 1 };

let stack: Stack;
let ann: string;
let cy: string;
const counts = new Map<SubgraphName, number>();
const statements: string[] = [];
const counting = { on: false };

beforeAll(async () => {
  stack = await startStack({
    onQuery: (service, detail) => {
      if (!counting.on) return;
      counts.set(service, (counts.get(service) ?? 0) + 1);
      if (service === 'projects') statements.push(detail);
    },
  });
  ann = await createUser(stack, 'Ann Example');
  const bob = await createUser(stack, 'Bob Example');
  cy = await createUser(stack, 'Cy Example');
  const team = await createTeam(stack, 'Platform', ann);
  await addMember(stack, team, bob);
  await addMember(stack, team, cy);
  const shared = await createProject(stack, 'Shared API', ann, team);
  await commitVersion(stack, shared, bob, 'first');
  const solo = await createProject(stack, 'Solo schema', ann);
  await commitVersion(stack, solo, ann, 'solo');
  await createPayment(stack, ann, bob, '12.5');
  await createPayment(stack, bob, ann, '3.00');
  // Cy has more of everything: the count must not grow with it.
  const second = await createTeam(stack, 'Second', cy);
  for (let i = 0; i < 6; i++) {
    const project = await createProject(stack, `Cy ${i}`, cy, i % 2 ? team : second);
    await commitVersion(stack, project, i % 2 ? ann : cy, `v${i}`);
  }
  for (let i = 0; i < 4; i++) {
    await createPayment(stack, cy, bob, `${i + 1}.00`);
    await createPayment(stack, bob, cy, `${i + 5}.00`);
  }
  // First dashboards: the profiles service makes a missing profile on first access.
  expectNoErrors(await stack.query(DASHBOARD_FOR_ME, {}, as(ann)));
  expectNoErrors(await stack.query(DASHBOARD_FOR_ME, {}, as(cy)));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function dashboardOf(userId: string): Promise<{ me: any; counts: Record<string, number> }> {
  counts.clear();
  statements.length = 0;
  counting.on = true;
  try {
    const { me } = expectNoErrors(await stack.query<{ me: any }>(DASHBOARD_FOR_ME, {}, as(userId)));
    return { me, counts: Object.fromEntries(counts) };
  } finally {
    counting.on = false;
  }
}

test("a signed-in user's dashboard costs one query per entity type per fetch", async () => {
  const { me, counts } = await dashboardOf(ann);
  // Every part was there, so every fetch really ran.
  expect(me.teams.edges).toHaveLength(1);
  expect(me.projects.edges.map(({ node }: any) => [node.name, node.team?.name ?? null, node.latestVersion.author.name])).toEqual([
    ['Solo schema', null, 'Ann Example'],
    ['Shared API', 'Platform', 'Bob Example'],
  ]);
  expect(me.sent.edges.map(({ node }: any) => [node.amount, node.recipient.name])).toEqual([['12.50', 'Bob Example']]);
  expect(me.received.edges.map(({ node }: any) => [node.amount, node.sender.name])).toEqual([['3.00', 'Bob Example']]);
  expect(me.profile).toMatchObject({ bio: null });
  expect(counts).toEqual(EXPECTED);
  // The dashboard shows no schema document (each may be a megabyte): none is read.
  expect(statements.find((sql) => sql.includes('project_versions'))).toBeDefined();
  expect(statements.filter((sql) => sql.includes('"document"'))).toEqual([]);
});

test('a latest version whose document is asked for is read with it, in the same one query', async () => {
  counts.clear();
  statements.length = 0;
  counting.on = true;
  try {
    const { me } = expectNoErrors(await stack.query<{ me: any }>('{ me { projects { edges { node { name latestVersion { number document } } } } } }', {}, as(ann)));
    expect(me.projects.edges.map(({ node }: any) => [node.name, node.latestVersion.document])).toEqual([
      ['Solo schema', { types: {} }],
      ['Shared API', { types: {} }],
    ]);
  } finally {
    counting.on = false;
  }
  expect(Object.fromEntries(counts)).toEqual({ users: 1, projects: 2 });
  expect(statements.filter((sql) => sql.includes('project_versions') && sql.includes('"document"'))).toHaveLength(1);
});

test('the same for a user with more teams, projects and payments', async () => {
  const { me, counts } = await dashboardOf(cy);
  expect(me.teams.edges).toHaveLength(2);
  expect(me.projects.edges).toHaveLength(6);
  expect(me.sent.edges).toHaveLength(4);
  expect(me.received.edges).toHaveLength(4);
  expect(counts).toEqual(EXPECTED);
});
