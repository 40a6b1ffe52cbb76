import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../engines/freePort';
import { DEMO_PASSWORD, DEMO_USER_IDS } from '../../scripts/demoData';
import { descendants, isAlive } from '../support/processTree';
import { expectNoErrors } from '../support/fixtures';
import { graphqlPost } from '../support/stack';

/**
 * `npm start` as a newcomer runs it: engines it starts itself, data under one directory that
 * survives a restart, the demo data seeded once, and Ctrl-C leaving no process behind.
 */
const ROOT = join(__dirname, '..', '..');
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'schemaflow-start-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as `postgres` when we are root
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function start(port: number): Promise<Running> {
  // Nothing configured but where to keep data and which port: it must start its own engines.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/(MONGO|POSTGRES|DATABASE)_URL$/.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: { ...env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up in time:\n${output}`)), 150_000);
    child.stdout!.on('data', () => {
      const match = /SchemaFlow is up: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function interrupt(running: Running): Promise<number | null> {
  const tree = descendants(running.child.pid!);
  expect(tree.length).toBeGreaterThanOrEqual(7); // 5 subgraphs, gateway, PostgreSQL (+ its workers), FerretDB
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
  running.child.kill('SIGINT');
  const code = await exited;
  expect(tree.filter(isAlive)).toEqual([]);
  return code;
}

/** Signs a demo user in (they all have the demo password) and returns their Authorization header. */
async function signIn(url: string, email: string): Promise<Record<string, string>> {
  const { login } = expectNoErrors(
    await graphqlPost<{ login: { accessToken: string } }>(url, `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, {
      input: { email, password: DEMO_PASSWORD },
    }),
  );
  return { authorization: `Bearer ${login.accessToken}` };
}

const GRACE = `query($id: ID!) { user(id: $id) { name projects { edges { node { name latestVersion { number } } } } received: payments(direction: RECEIVED) { edges { node { amount sender { name } } } } profile { bio } teams { edges { node { name } } } } }`;

test('npm start serves the seeded graph, keeps data across a restart and stops every process on Ctrl-C', async () => {
  const port = await freePort();
  const first = await start(port);
  try {
    expect(first.url).toBe(`http://127.0.0.1:${port}/graphql`);
    const { user } = expectNoErrors(await graphqlPost<{ user: any }>(first.url, GRACE, { id: DEMO_USER_IDS.grace }, await signIn(first.url, 'grace@schemaflow.dev')));
    expect(user.name).toBe('Grace Hopper');
    expect(user.projects.edges.map((edge: any) => [edge.node.name, edge.node.latestVersion.number])).toEqual([
      ['Personal notes', 1],
      ['Checkout API', 2],
    ]);
    expect(user.received.edges.map((edge: any) => `${edge.node.amount} from ${edge.node.sender.name}`)).toEqual([
      '99.99 from Margaret Hamilton',
      '15.50 from Linus Torvalds',
    ]);
    expect(user.profile.bio).toBe('Wrote the first compiler.');
    expect(user.teams.edges.map((edge: any) => edge.node.name).sort()).toEqual(['Apollo Guidance', 'Compilers']);
    expectNoErrors(
      await graphqlPost(first.url, `mutation { register(input: { email: "kept@example.test", password: "kept password 1", name: "Kept" }) { accessToken } }`),
    );
  } finally {
    expect(await interrupt(first)).toBe(130); // 128 + SIGINT, as after Ctrl-C
  }

  const second = await start(port);
  try {
    const admin = await signIn(second.url, 'ada@schemaflow.dev');
    const users = expectNoErrors(await graphqlPost<{ users: any }>(second.url, `{ users(first: 100) { edges { node { email } } } }`, {}, admin));
    const emails = users.users.edges.map((edge: any) => edge.node.email);
    expect(emails).toContain('kept@example.test');
    expect(emails.filter((email: string) => email === 'grace@schemaflow.dev')).toHaveLength(1); // seeded once
    const { user } = expectNoErrors(await graphqlPost<{ user: any }>(second.url, GRACE, { id: DEMO_USER_IDS.grace }, admin));
    expect(user.projects.edges).toHaveLength(2);
  } finally {
    expect(await interrupt(second)).toBe(130);
  }
}, 300_000);
