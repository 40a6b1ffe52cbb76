import { Client } from 'pg';
import { as, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { eventually } from '../support/eventually';
import { startStack, testEngines, type GraphQLResponse, type Stack } from '../support/stack';
import { startProxy, type Proxy } from '../support/tcpProxy';

/**
 * A database that refuses connections, or a statement that cannot finish in time, ends that
 * service's part of an answer with SERVICE_UNAVAILABLE (no database detail), quickly, and the
 * rest of the answer is intact. The services' database bounds are set to 1 s here.
 */
const TIMEOUT_MS = 1_000;
let stack: Stack;
let teamsMongo: Proxy;
let ann: string;
let project: string;

beforeAll(async () => {
  const mongoPort = Number(new URL(testEngines().mongoUrl).port);
  teamsMongo = await startProxy(mongoPort);
  stack = await startStack({
    databaseTimeouts: { statementMs: TIMEOUT_MS, connectMs: TIMEOUT_MS },
    // The teams service reaches MongoDB through a proxy the last test cuts.
    databaseUrl: (service, url) => (service === 'teams' ? url.replace(`:${mongoPort}`, `:${teamsMongo.port}`) : url),
  });
  ann = await createUser(stack, 'Ann');
  const bob = await createUser(stack, 'Bob');
  await createTeam(stack, 'Ann team', ann);
  project = await createProject(stack, 'Still here', ann);
  await createPayment(stack, ann, bob, '2.00');
});

afterAll(async () => {
  await stack?.stop();
  await teamsMongo?.cut().catch(() => undefined);
});

const DASHBOARD = `query($id: ID!) {
  user(id: $id) {
    name
    teams { edges { node { name } } }
    projects { edges { node { name } } }
    payments { edges { node { amount } } }
  }
}`;

const databaseName = (url: string) => new URL(url).pathname.slice(1);

async function admin<T>(work: (client: Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const url = new URL(testEngines().postgresUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** No database message, SQL state, driver error or address in anything a client gets. */
function expectNoDatabaseDetail(response: GraphQLResponse): void {
  expect(JSON.stringify(response.body)).not.toMatch(/postgres|prisma|mongo|ECONN|57014|55P03|timeout|accepting connections|127\.0\.0\.1|statement|lock/i);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

test('with the projects database refusing connections, its fields are SERVICE_UNAVAILABLE and the rest is intact', async () => {
  expectNoErrors(await stack.query(DASHBOARD, { id: ann }, as(ann)));
  const name = databaseName(stack.databases.projectsUrl);
  await admin(async (client) => {
    await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
  });
  try {
    const { value: response, ms } = await timed(() => stack.query<{ user: any }>(DASHBOARD, { id: ann }, as(ann)));
    expect(response.status).toBe(200);
    expect(response.body.data!.user).toEqual({
      name: 'Ann',
      teams: { edges: [{ node: { name: 'Ann team' } }] },
      projects: null,
      payments: { edges: [{ node: { amount: '2.00' } }] },
    });
    expect(response.body.errors).toEqual([{ message: expect.any(String), path: ['user', 'projects'], extensions: { code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) } }]);
    expectNoDatabaseDetail(response);
    expect(ms).toBeLessThan(10_000);
  } finally {
    await admin((client) => client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`));
  }
  // Once the database takes connections again, so does the service.
  const recovered = await eventually(() => stack.query(DASHBOARD, { id: ann }, as(ann)), (response) => !response.body.errors, 10_000, 200);
  expectNoErrors(recovered);
});

test('a change held up by a row lock ends with SERVICE_UNAVAILABLE within the statement timeout instead of hanging', async () => {
  const locker = new Client({ connectionString: stack.databases.projectsUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM projects WHERE id = $1 FOR UPDATE', [project]);
    const { value: response, ms } = await timed(() =>
      stack.query(`mutation($id: ID!) { updateProject(id: $id, input: { name: "Renamed" }) { name } }`, { id: project }, as(ann)),
    );
    expect(response.body.errors).toEqual([expect.objectContaining({ path: ['updateProject'], extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) })]);
    expectNoDatabaseDetail(response);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100); // it did wait for the lock, up to the bound
    expect(ms).toBeLessThan(TIMEOUT_MS + 4_000);
  } finally {
    await locker.query('ROLLBACK');
    await locker.end();
  }
  // The lock gone, the same change goes through; the refused one changed nothing.
  const { project: before } = expectNoErrors(await stack.query<{ project: { name: string } }>(`query($id: ID!) { project(id: $id) { name } }`, { id: project }, as(ann)));
  expect(before.name).toBe('Still here');
  expectNoErrors(await stack.query(`mutation($id: ID!) { updateProject(id: $id, input: { name: "Renamed" }) { name } }`, { id: project }, as(ann)));
});

test('with the teams service cut off from MongoDB, its fields are SERVICE_UNAVAILABLE within the connect timeout and the rest is intact', async () => {
  expectNoErrors(await stack.query(DASHBOARD, { id: ann }, as(ann)));
  await teamsMongo.cut();
  const { value: response, ms } = await timed(() => stack.query<{ user: any }>(DASHBOARD, { id: ann }, as(ann)));
  expect(response.status).toBe(200);
  expect(response.body.data!.user).toEqual({
    name: 'Ann',
    teams: null,
    projects: { edges: [{ node: { name: 'Renamed' } }] },
    payments: { edges: [{ node: { amount: '2.00' } }] },
  });
  expect(response.body.errors).toEqual([{ message: expect.any(String), path: ['user', 'teams'], extensions: { code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) } }]);
  expectNoDatabaseDetail(response);
  expect(ms).toBeLessThan(TIMEOUT_MS + 5_000);
});
