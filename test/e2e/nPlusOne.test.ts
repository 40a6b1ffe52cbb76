import type { SubgraphName } from '../../schema/subgraphs';
import { addMember, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

/**
 * Every entity reference and every list relation is batched per request: the number of database
 * queries a request costs depends on the shape of the query (one per entity type per gateway
 * fetch), never on how many items a page holds. Queries are counted as the drivers report them
 * (mongoose's debug hook, Prisma's query events).
 */
let stack: Stack;
let counts: Map<SubgraphName, number>;
const counting = { on: false };

beforeAll(async () => {
  counts = new Map();
  stack = await startStack({
    onQuery: (service) => {
      if (counting.on) counts.set(service, (counts.get(service) ?? 0) + 1);
    },
  });
  const users: string[] = [];
  for (let i = 0; i < 10; i++) users.push(await createUser(stack, `User ${i}`));
  const teams: string[] = [];
  for (let i = 0; i < 5; i++) {
    teams.push(await createTeam(stack, `Team ${i}`, users[i]!));
    await addMember(stack, teams[i]!, users[i + 5]!);
  }
  for (let i = 0; i < 50; i++) {
    const project = await createProject(stack, `Project ${i}`, users[i % 10]!, i % 3 === 0 ? null : teams[i % 5]!);
    await commitVersion(stack, project, users[(i + 1) % 10]!, `v1 of ${i}`);
    if (i % 2 === 0) await commitVersion(stack, project, users[(i + 2) % 10]!, `v2 of ${i}`);
  }
  for (let i = 0; i < 20; i++) await createPayment(stack, users[i % 10]!, users[(i + 3) % 10]!, `${i + 1}.25`);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function queriesFor(query: string, variables: Record<string, unknown>): Promise<{ data: any; counts: Record<string, number> }> {
  counts.clear();
  counting.on = true;
  try {
    const data = expectNoErrors(await stack.query(query, variables));
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
  // projects: the page + the latest versions; users: one per gateway fetch of User (owners, authors); teams: one.
  expect(large.counts).toEqual({ projects: 2, users: 2, teams: 1 });
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
  // users: the page, then one gateway fetch each for payment senders and recipients; teams: the
  // users' teams and the projects' teams; projects: the per-user pages and their latest versions.
  expect(large.counts).toEqual({ users: 3, teams: 2, projects: 2, payments: 1, profiles: 1 });
});
