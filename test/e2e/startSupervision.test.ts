import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../engines/freePort';
import { DEMO_USER_IDS } from '../../scripts/demoData';
import { eventually } from '../support/eventually';
import { expectNoErrors } from '../support/fixtures';
import { interrupt, serviceProcess, signIn, spawnStart, start, type Running } from '../support/npmStart';
import { graphqlPost, type GraphQLResponse } from '../support/stack';

/**
 * `npm start` keeps the product up when one of its services crashes: the crashed one is started
 * again on its port while the others serve, a crash loop is given up on alone, and a second start
 * on the same data folder leaves the first one's engines alone.
 */
const PAYMENTS = 'subgraphs/payments/main.ts';
const DASHBOARD = `query($id: ID!) { user(id: $id) { name projects { edges { node { name } } } received: payments(direction: RECEIVED) { edges { node { amount } } } } }`;

let dataDir: string;
let running: Running | null = null;
let grace: Record<string, string>;

const dashboard = (): Promise<GraphQLResponse<{ user: any }>> => graphqlPost(running!.url, DASHBOARD, { id: DEMO_USER_IDS.grace }, grace);

/** Waits for `text` to appear in the output after `from` characters of it. */
async function logged(text: RegExp, from: number, timeoutMs = 60_000): Promise<string> {
  const after = await eventually(async () => running!.output().slice(from), (output) => text.test(output), timeoutMs, 100);
  expect(after).toMatch(text);
  return after;
}

async function killPayments(): Promise<number> {
  const pid = serviceProcess(running!, PAYMENTS);
  expect(pid).toEqual(expect.any(Number));
  process.kill(pid!, 'SIGKILL');
  return pid!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'schemaflow-supervision-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as `postgres` when we are root
  // Three crashes within two minutes is a crash loop here (the default: five within one).
  running = await start(dataDir, await freePort(), { RESTART_BACKOFF_MS: '200', RESTART_MAX_CRASHES: '3', RESTART_CRASH_WINDOW_SECONDS: '120' });
  grace = await signIn(running.url, 'grace@schemaflow.dev');
}, 200_000);

afterAll(async () => {
  if (running) expect(await interrupt(running)).toBe(130);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

test('a subgraph killed with SIGKILL is started again on its port, and the dashboard works again', async () => {
  expectNoErrors(await dashboard());
  const from = running!.output().length;
  const killed = await killPayments();
  // Meanwhile the rest of the product answers, with the payments part marked unavailable.
  const during = await dashboard();
  expect(during.status).toBe(200);
  expect(during.body.data?.user?.name).toBe('Grace Hopper');
  await logged(/payments exited unexpectedly \(killed by a signal\); restarting it in 200 ms/, from);
  await logged(/payments is running again/, from);
  const after = await eventually(dashboard, (response) => !response.body.errors, 20_000);
  const { user } = expectNoErrors(after);
  expect(user.received.edges.map((edge: any) => edge.node.amount)).toEqual(['99.99', '15.50']);
  expect(serviceProcess(running!, PAYMENTS)).not.toBe(killed);
}, 90_000);

test('a subgraph that keeps crashing is given up on alone: the gateway serves the rest', async () => {
  const from = running!.output().length;
  await killPayments(); // crash 2 of 3 within the window
  await logged(/payments is running again/, from);
  await killPayments(); // crash 3: a crash loop
  const said = await logged(/payments exited unexpectedly[^\n]*given up on and NOT restarted/, from);
  expect(said).toMatch(/crashed 3 times within 120 s/);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // nothing restarts it
  expect(serviceProcess(running!, PAYMENTS)).toBeUndefined();
  expect(running!.child.exitCode).toBeNull(); // the product runs on
  const response = await dashboard();
  expect(response.status).toBe(200);
  expect(response.body.data?.user).toEqual({ name: 'Grace Hopper', projects: { edges: [{ node: { name: 'Personal notes' } }, { node: { name: 'Checkout API' } }] }, received: null });
  expect(response.body.errors).toEqual([expect.objectContaining({ path: ['user', 'received'], extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
}, 90_000);

test('a second start on the same data folder is refused with where the first one runs, and the first is unharmed', async () => {
  const second = spawnStart(dataDir, await freePort());
  const code = await new Promise<number | null>((resolve) => second.child.once('exit', (exitCode) => resolve(exitCode)));
  expect(code).not.toBe(0);
  expect(second.output()).toContain('SchemaFlow is already running');
  expect(second.output()).toContain(`pid ${running!.child.pid}`);
  expect(second.output()).toContain(running!.url);
  expect(second.output()).not.toMatch(/starting embedded PostgreSQL/);
  // The first one still serves from its PostgreSQL and FerretDB.
  const { user } = (await dashboard()).body.data!;
  expect(user.projects.edges).toHaveLength(2);
  expect(running!.child.exitCode).toBeNull();
}, 60_000);
