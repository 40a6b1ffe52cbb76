import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createLogger } from '../../lib/logger';
import { startSubgraph } from '../../lib/subgraph';
import { createDatabases, dropDatabases, graphqlPost, startStack, testEngines, type Stack } from '../support/stack';
import { createProjectsSubgraph } from '../../subgraphs/projects/server';
import type { ServiceDatabases } from '../../scripts/seed';

/** Each process answers /health (alive) and /ready (can serve: its database answers). */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const base = (url: string) => url.replace(/\/graphql$/, '');

test('the gateway and every subgraph are live and ready', async () => {
  for (const url of [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)]) {
    const health = await fetch(`${base(url)}/health`);
    expect([url, health.status, await health.json()]).toEqual([url, 200, { status: 'ok' }]);
    const ready = await fetch(`${base(url)}/ready`);
    expect([url, ready.status]).toEqual([url, 200]);
  }
  const subgraphReady = await fetch(`${base(stack.subgraphUrls.payments)}/ready`);
  expect(await subgraphReady.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
});

test('an unknown path is a JSON 404, not an HTML page', async () => {
  const response = await fetch(`${base(stack.gatewayUrl)}/nowhere`);
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ errors: [{ message: 'not found: GraphQL is served at /graphql', extensions: { code: 'NOT_FOUND' } }] });
});

describe('a subgraph on its own', () => {
  let databases: ServiceDatabases;

  beforeAll(async () => {
    databases = await createDatabases();
  });

  afterAll(async () => {
    await dropDatabases(databases).catch(() => undefined); // one test drops a database itself
  });

  test('starts and serves with every other service down, and says so only where it needs one', async () => {
    const nowhere = 'http://127.0.0.1:9/graphql'; // the discard port: nothing answers there
    const subgraph = await startSubgraph(
      await createProjectsSubgraph({ databaseUrl: databases.projectsUrl, usersUrl: nowhere, teamsUrl: nowhere, auth: stack.auth }, createLogger('projects', 'silent')),
      0,
    );
    try {
      const read = await graphqlPost(subgraph.url, `{ projects(first: 5) { edges { node { id } } } }`, {}, { authorization: `Bearer ${stack.adminToken}` });
      expect(read.body).toEqual({ data: { projects: { edges: [] } } });
      // Verifying the caller's token needs nobody; checking a team needs the teams service.
      const write = await graphqlPost(
        subgraph.url,
        `mutation($t: ID!) { createProject(input: { name: "P", type: OTHER, teamId: $t }) { id } }`,
        { t: randomUUID() },
        { authorization: `Bearer ${stack.adminToken}` },
      );
      expect(write.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect((await fetch(`${base(subgraph.url)}/ready`)).status).toBe(200);
    } finally {
      await subgraph.stop();
    }
  });

  test('when stopping, it reports not ready first, then closes', async () => {
    const subgraph = await startSubgraph(
      await createProjectsSubgraph(
        { databaseUrl: databases.projectsUrl, usersUrl: stack.subgraphUrls.users, teamsUrl: stack.subgraphUrls.teams, auth: stack.auth },
        createLogger('projects', 'silent'),
      ),
      0,
      '127.0.0.1',
      { shutdownDelayMs: 500 },
    );
    const stopped = subgraph.stop();
    const ready = await fetch(`${base(subgraph.url)}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'stopping', checks: {} });
    await stopped;
    await expect(fetch(`${base(subgraph.url)}/health`)).rejects.toThrow();
  });

  test('is not ready while its database is gone, and names the failed check', async () => {
    const subgraph = await startSubgraph(
      await createProjectsSubgraph({ databaseUrl: databases.projectsUrl, usersUrl: stack.subgraphUrls.users, teamsUrl: stack.subgraphUrls.teams, auth: stack.auth }, createLogger('projects', 'silent')),
      0,
    );
    try {
      expect((await fetch(`${base(subgraph.url)}/ready`)).status).toBe(200);
      const admin = new Client({ connectionString: testEngines().postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE "${new URL(databases.projectsUrl).pathname.slice(1)}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      const ready = await fetch(`${base(subgraph.url)}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'failed' } });
      expect((await fetch(`${base(subgraph.url)}/health`)).status).toBe(200);
    } finally {
      await subgraph.stop();
    }
  });
});
