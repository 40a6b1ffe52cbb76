import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../engines/freePort';
import { DEMO_USER_IDS } from '../../scripts/demoData';
import { expectNoErrors } from '../support/fixtures';
import { interrupt, signIn, start } from '../support/npmStart';
import { graphqlPost } from '../support/stack';

/**
 * `npm start` as a newcomer runs it: engines it starts itself, data under one directory that
 * survives a restart, the demo data seeded once, and Ctrl-C leaving no process behind.
 */
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'schemaflow-start-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as `postgres` when we are root
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const GRACE = `query($id: ID!) { user(id: $id) { name projects { edges { node { name latestVersion { number } } } } received: payments(direction: RECEIVED) { edges { node { amount sender { name } } } } profile { bio } teams { edges { node { name } } } } }`;

test('npm start serves the seeded graph, keeps data across a restart and stops every process on Ctrl-C', async () => {
  const port = await freePort();
  const first = await start(dataDir, port);
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

  const second = await start(dataDir, port);
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
