import type { SubgraphName } from '../../schema/subgraphs';
import { addMember, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { subgraphsSeeMergedFetches } from '../support/executorEnv';
import { startStack, type Stack } from '../support/stack';

/**
 * Every entity reference and every list relation is batched per request: the number of database
 * queries a request costs depends on the shape of the query (one per entity type per gateway
 * fetch), never on how many items a page holds. Queries are counted as the drivers report them
 * (mongoose's debug hook, Prisma's query events).
 */
let stack: Stack;
let users: string[];
let counts: Map<SubgraphName, number>;
const counting = { on: false };
/** The gateway sends fetches to one subgraph at one depth of the plan as one request (one request context, so one loader batch). */
const merged = subgraphsSeeMergedFetches();

beforeAll(async () => {
  counts = new Map();
  stack = await startStack({
    onQuery: (service) => {
      if (counting.on) counts.set(service, (counts.get(service) ?? 0) + 1);
    },
  });
  users = [];
  for (let i = 0; i < 10; i++) users.push(await createUser(stack, `User ${i}`));
  const teams: string[] = [];
  for (let i = 0; i < 5; i++) {
    teams.push(await createTeam(stack, `Team ${i}`, users[i]!));
    await addMember(stack, teams[i]!, users[i + 5]!);
  }
  for (let i = 0; i < 50; i++) {
    const owner = users[i % 10]!;
    const team = i % 3 === 0 ? null : teams[i % 5]!;
    // Only those who may see a project commit to it: its owner, or the other member of its team.
    const teammate = team ? users[(i + 5) % 10]! : owner;
    const project = await createProject(stack, `Project ${i}`, owner, team);
    await commitVersion(stack, project, teammate, `v1 of ${i}`);
    if (i % 2 === 0) await commitVersion(stack, project, owner, `v2 of ${i}`);
  }
  for (let i = 0; i < 20; i++) await createPayment(stack, users[i % 10]!, users[(i + 3) % 10]!, `${i + 1}.25`);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function queriesFor(
  query: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<{ data: any; counts: Record<string, number> }> {
  counts.clear();
  counting.on = true;
  try {
    const data = expectNoErrors(await stack.query(query, variables, headers));
    return { data, counts: Object.fromEntries(counts) };
  } finally {
    counting.on = false;
  }
}

const PROJECT_PAGE = `query($first: Int!) {
  projects(first: $first) {
    edges { node { name owner { name } team { name } latestVersion { number author { name } } } }
  }
}`;

test('a page of projects with owners, teams and latest versions costs the same queries at 5 and 50 items', async () => {
  const small = await queriesFor(PROJECT_PAGE, { first: 5 });
  const large = await queriesFor(PROJECT_PAGE, { first: 50 });
  expect(small.data.projects.edges).toHaveLength(5);
  expect(large.data.projects.edges).toHaveLength(50);
  // Every reference resolved to real data (so the batches really ran).
  for (const { node } of large.data.projects.edges) {
    expect(node.owner.name).toMatch(/^User \d$/);
    expect(node.latestVersion.author.name).toMatch(/^User \d$/);
  }
  expect(large.counts).toEqual(small.counts);
  // projects: the page + the latest versions; users: one per gateway request of User (the owners'
  // and the authors' fetches, merged into one request); teams: one.
  expect(large.counts).toEqual({ projects: 2, users: merged ? 1 : 2, teams: 1 });
});

const USER_PAGE = `query($first: Int!) {
  users(first: $first) {
    edges { node {
      name
      teams { edges { node { name memberCount } } }
      projects(first: 3) { edges { node { name latestVersion { number } team { name } } } }
      payments(first: 3) { edges { node { amount sender { name } recipient { name } } } }
      profile { bio }
    } }
  }
}`;

test('list relations of many users (teams, projects, payments, profiles) are one query each, whatever the page size', async () => {
  await queriesFor(USER_PAGE, { first: 10 }); // first access creates the default profiles
  const small = await queriesFor(USER_PAGE, { first: 2 });
  const large = await queriesFor(USER_PAGE, { first: 10 });
  expect(large.data.users.edges).toHaveLength(10);
  expect(large.data.users.edges.every(({ node }: any) => node.projects.edges.length === 3)).toBe(true);
  expect(large.counts).toEqual(small.counts);
  // users: the page, then one gateway request for payment senders and recipients (two fetches,
  // merged); teams: the users' teams and the projects' teams; projects: the per-user pages and
  // their latest versions.
  expect(large.counts).toEqual({ users: merged ? 2 : 3, teams: 2, projects: 2, payments: 1, profiles: 1 });
});

const MEMBER_VIEW = `query($first: Int!, $other: ID!) {
  projects(first: $first) { edges { node { name owner { name } latestVersion { number } } } }
  user(id: $other) { projects(first: $first) { edges { node { name team { name } } } } }
}`;

test("a user's own view, filtered to what they may see, costs one membership lookup per fetch, whatever the page size", async () => {
  // users[0] owns Team 0, with users[5] as a member. As users[0]: their own and Team 0's projects,
  // and of users[5]'s projects only those in Team 0 (5, 25 and 35; 15 and 45 are personal).
  const small = await queriesFor(MEMBER_VIEW, { first: 2, other: users[5] }, as(users[0]!));
  const large = await queriesFor(MEMBER_VIEW, { first: 20, other: users[5] }, as(users[0]!));
  expect(large.data.user.projects.edges.map(({ node }: any) => node)).toEqual([
    { name: 'Project 35', team: { name: 'Team 0' } },
    { name: 'Project 25', team: { name: 'Team 0' } },
    { name: 'Project 5', team: { name: 'Team 0' } },
  ]);
  const visible = large.data.projects.edges.map(({ node }: any) => Number(node.name.replace('Project ', '')));
  expect(visible.sort((a: number, b: number) => a - b)).toEqual(
    Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 10 === 0 || (i % 5 === 0 && i % 3 !== 0)),
  );
  expect(large.counts).toEqual(small.counts);
  // projects: the root page, its latest versions and the other user's page (with the visibility
  // filter in the same query); teams: the caller's teams, asked once by each of the two fetches to
  // the projects service (a context per fetch), and the projects' teams; users: the root user and
  // the owners. Admins (the other tests) never cause a membership lookup.
  expect(large.counts).toEqual({ projects: 3, teams: 3, users: 2 });
});
