import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { executorMismatches } from '../../gateway/executor/executorMismatches';
import { DASHBOARD_FOR_USER } from '../../scripts/dashboardQuery';
import { SUPERGRAPH_FILE } from '../../schema/subgraphs';
import { ANONYMOUS_REQUEST, as, commitVersion, createPayment, createProject, createTeam, createUser } from '../support/fixtures';
import { OperationGenerator, seededRandom } from '../support/operationGenerator';
import { startStack, type Stack } from '../support/stack';

/**
 * The gateway's executor against @apollo/gateway's on the real stack: the gateway runs in
 * differential mode (both executors on every request, the same plan, the subgraph answers of the
 * first replayed to the second), and not one difference in data, errors or paths may appear, for
 * hand-written operations that reach every shaping rule (fragments, @skip/@include with variables
 * and defaults, aliases, __typename, introspection beside data, entities across all five
 * subgraphs, nulls and errors inside entities) and for operations generated from the API schema
 * (FUZZ_SEED / FUZZ_OPERATIONS explore further).
 */
const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [11, 12];
const OPERATIONS_PER_SEED = Number(process.env.FUZZ_OPERATIONS ?? 200);

let stack: Stack;
let ann: string;
let bob: string;
let knownIds: string[];

beforeAll(async () => {
  // Cost budgets raised and rate limits off, so that the generated operations run instead of being refused.
  stack = await startStack({ gatewayEnv: { GATEWAY_EXECUTOR: 'differential', MAX_COST: '100000', MAX_COST_ANONYMOUS: '100000', RATE_LIMIT_USER: '0', RATE_LIMIT_ANONYMOUS: '0' } });
  ann = await createUser(stack, 'Ann Differential');
  bob = await createUser(stack, 'Bob Differential');
  const team = await createTeam(stack, 'Differential Team', ann);
  const project = await createProject(stack, 'Differential Project', ann, team);
  await commitVersion(stack, project, ann, 'first');
  await createPayment(stack, ann, bob, '4.25');
  knownIds = [ann, bob, team, project];
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const HAND_WRITTEN = [
  {
    query: `fragment Who on User { id name __typename }
      query Rich($id: ID!, $withTeams: Boolean!, $skipProjects: Boolean = false) {
        kind: __typename
        user(id: $id) {
          ...Who
          alias: name
          teams @include(if: $withTeams) { edges { node { __typename name memberCount members { edges { node { role user { ...Who } } } } } } }
          projects @skip(if: $skipProjects) { edges { node { name latestVersion { number author { name } } team { name } } } pageInfo { hasNextPage } }
          profile { bio }
          sent: payments(direction: SENT) { edges { node { amount status recipient { ...Who } } } }
        }
        __type(name: "User") { name kind }
      }`,
    variables: (id: string) => ({ id, withTeams: true }),
  },
  { query: `query Skipped($id: ID!) { user(id: $id) { id teams @skip(if: true) { edges { node { name } } } } }`, variables: (id: string) => ({ id }) },
  { query: `query Nobody { user(id: "00000000-0000-0000-0000-000000000000") { id name } }`, variables: () => ({}) },
  { query: `query Others($id: ID!) { user(id: $id) { id email profile { phone } payments(direction: RECEIVED) { edges { node { amount sender { name } } } } } }`, variables: (id: string) => ({ id }) },
  // Fetches to one subgraph at one depth, which the fast executor sends as one merged request
  // (users: senders, recipients, owners and authors; teams: the user's and the projects'), with
  // fields some callers may not read (errors inside the merged fetches, at their own paths).
  { query: DASHBOARD_FOR_USER, variables: (id: string) => ({ id }) },
  {
    query: `query People($id: ID!) {
      user(id: $id) {
        sent: payments(direction: SENT) { edges { node { recipient { name email } sender { id } } } }
        received: payments(direction: RECEIVED) { edges { node { sender { name email } } } }
        projects { edges { node { owner { name email } team { name memberCount } latestVersion { author { name email } } } } }
        teams { edges { node { name } } }
      }
    }`,
    variables: (id: string) => ({ id }),
  },
];

test('hand-written operations: both executors agree, as every caller', async () => {
  const before = executorMismatches().length;
  for (const operation of HAND_WRITTEN) {
    for (const [caller, id] of [[ANONYMOUS_REQUEST, ann], [as(ann), ann], [as(bob), ann], [{}, bob]] as const) {
      const response = await stack.query(operation.query, operation.variables(id), caller);
      expect({ status: response.status, errors: response.status === 200 ? [] : response.body.errors }).toEqual({ status: 200, errors: [] });
    }
  }
  expect(executorMismatches().slice(before)).toEqual([]);
  // Not vacuous: the rich operation answered with data from all five subgraphs.
  const rich = await stack.query(HAND_WRITTEN[0]!.query, HAND_WRITTEN[0]!.variables(ann), as(ann));
  expect(rich.body.data?.user).toMatchObject({ id: ann, alias: 'Ann Differential', teams: { edges: [{ node: { name: 'Differential Team' } }] } });
  expect(rich.body.data?.kind).toBe('Query');
});

test.each(SEEDS)('generated operations (seed %i): both executors agree on every answer', async (seed) => {
  const schema = Supergraph.build(readFileSync(SUPERGRAPH_FILE, 'utf8')).apiSchema().toGraphQLJSSchema();
  const generator = new OperationGenerator(schema, seededRandom(seed), { knownIds, maxDepth: 5 });
  // Anonymous, a signed-in user, and the stack's admin twice (who may read the most).
  const callers = [ANONYMOUS_REQUEST, as(ann), {}, {}];
  const before = executorMismatches().length;
  let executed = 0;
  let withData = 0;
  for (let index = 0; index < OPERATIONS_PER_SEED; index++) {
    const operation = generator.next();
    const response = await stack.query(operation.query, operation.variables, callers[index % callers.length]);
    if (response.status === 200) executed += 1;
    if (response.body.data && Object.values(response.body.data).some((value) => value !== null)) withData += 1;
  }
  expect(executorMismatches().slice(before)).toEqual([]);
  // Not vacuous: a part reached both executors (the others were refused before planning, as the
  // generator intends now and then, or after a generated mutation ended the caller's session),
  // and some of those answered data.
  expect(executed).toBeGreaterThan(OPERATIONS_PER_SEED / 10);
  expect(withData).toBeGreaterThanOrEqual(5);
}, 240_000);
