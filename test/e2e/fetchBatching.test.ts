import { readFileSync } from 'node:fs';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { DASHBOARD_FOR_USER } from '../../scripts/dashboardQuery';
import { SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from '../../schema/subgraphs';
import { addMember, as, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { Scrape } from '../support/scrape';
import { startStack, type Stack } from '../support/stack';

/**
 * Fetches to one subgraph at the same depth of the plan go as one request (GATEWAY_FETCH_BATCHING,
 * default `levels`), through the real gateway to the real subgraphs: the README's dashboard gets
 * the same answer with fewer subgraph calls than its plan has fetches (counted by the gateway's
 * own fetch metrics, where a merged request is one fetch), and the subgraphs' loaders, one
 * context per request, resolve the merged fetches' entities of one type in one database query.
 */
let stack: Stack;
let ann: string;
let bob: string;
const queries = new Map<SubgraphName, number>();
const counting = { on: false };

beforeAll(async () => {
  stack = await startStack({
    // The fast executor whatever the run's GATEWAY_EXECUTOR: under `differential` Apollo's makes the
    // real fetches (and ours, replayed, is compared with it by differentialExecutor.test.ts).
    gatewayEnv: { GATEWAY_EXECUTOR: 'fast' },
    onQuery: (service) => {
      if (counting.on) queries.set(service, (queries.get(service) ?? 0) + 1);
    },
  });
  ann = await createUser(stack, 'Ann Batched');
  bob = await createUser(stack, 'Bob Batched');
  const team = await createTeam(stack, 'Batched Team', ann);
  await addMember(stack, team, bob, 'ADMIN');
  const project = await createProject(stack, 'Batched API', ann, team);
  await commitVersion(stack, project, bob, 'first');
  await createPayment(stack, ann, bob, '3.50');
  await createPayment(stack, bob, ann, '7.25');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The fetches of the dashboard's query plan (each is one subgraph call when nothing is merged). */
function planFetches(): Record<string, number> {
  const supergraph = Supergraph.build(readFileSync(SUPERGRAPH_FILE, 'utf8'));
  const plan = new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(DASHBOARD_FOR_USER)));
  const counts: Record<string, number> = {};
  const walk = (node: PlanNode): void => {
    if (node.kind === 'Fetch') counts[node.serviceName] = (counts[node.serviceName] ?? 0) + 1;
    else if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach(walk);
    else if (node.kind === 'Flatten') walk(node.node);
  };
  if (plan.node && plan.node.kind !== 'Subscription') walk(plan.node);
  return counts;
}

test("the dashboard's 9 fetches go as 6 subgraph calls, with the same answer and one database query per entity type and merged fetch", async () => {
  const origin = new URL(stack.gatewayUrl).origin;
  // The first request plans and compiles the operation; the measured one runs it as compiled.
  expectNoErrors(await stack.query(DASHBOARD_FOR_USER, { id: ann }, as(ann)));
  const before = await Scrape.of(origin);
  queries.clear();
  counting.on = true;
  const data = expectNoErrors(await stack.query<any>(DASHBOARD_FOR_USER, { id: ann }, as(ann)));
  counting.on = false;
  const after = await Scrape.of(origin);

  expect(data.user.name).toBe('Ann Batched');
  expect(data.user.teams.edges.map(({ node }: any) => node)).toEqual([{ name: 'Batched Team', memberCount: 2 }]);
  expect(data.user.projects.edges.map(({ node }: any) => node)).toEqual([
    { name: 'Batched API', team: { name: 'Batched Team' }, latestVersion: { number: 1, message: 'first', author: { name: 'Bob Batched' } } },
  ]);
  expect(data.user.sent.edges.map(({ node }: any) => [node.amount, node.recipient.name])).toEqual([['3.50', 'Bob Batched']]);
  expect(data.user.received.edges.map(({ node }: any) => [node.amount, node.sender.name])).toEqual([['7.25', 'Bob Batched']]);

  // users: the user; then the payments' senders and recipients and the versions' authors (three
  // fetches, one call); teams: the user's teams and the projects' teams (two fetches, one call).
  expect(planFetches()).toEqual({ users: 4, payments: 1, profiles: 1, projects: 1, teams: 2 });
  const calls = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, after.delta(before, 'schemaflow_subgraph_fetch_duration_seconds_count', { subgraph: name })]));
  expect(calls).toEqual({ users: 2, teams: 1, projects: 1, payments: 1, profiles: 1 });
  expect(after.delta(before, 'schemaflow_subgraph_fetch_failures_total')).toBe(0);

  // One query per entity type or list relation of each request: users, the user and then the
  // three merged fetches' users in one (4 with each fetch alone); teams, the user's teams and the
  // projects' teams, two lookups of one request (2 alone too); projects, the user's projects and
  // their latest versions; payments, sent and received in one; profiles, the profile.
  expect(Object.fromEntries(queries)).toEqual({ users: 2, teams: 2, projects: 2, payments: 1, profiles: 1 });
});
