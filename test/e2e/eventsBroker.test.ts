import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RabbitMqTransport } from '../../lib/events/RabbitMqTransport';
import { ReconnectingTransport } from '../../lib/events/ReconnectingTransport';
import { CONSUMERS } from '../../lib/events/topology';
import { createLogger } from '../../lib/logger';
import { connectMongo } from '../../lib/mongo';
import { eventually } from '../support/eventually';
import { addMember, as, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { integrityJson } from '../support/integrity';
import { startRabbitMq, type RabbitMqIdentity } from '../support/rabbitmq';
import { startStack, type Stack } from '../support/stack';

/**
 * The broker is down when a user registers: the registration succeeds, its event waits in the
 * users service's outbox, and once a real RabbitMQ (a node of this file's own) is back the profile
 * appears, exactly once.
 */
let dir: string;
let broker: Awaited<ReturnType<typeof startRabbitMq>> | null = null;
let identity: RabbitMqIdentity;
let stack: Stack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schemaflow-rabbit-'));
  broker = await startRabbitMq(dir);
  identity = broker.identity;
  const url = broker.url;
  const logger = createLogger('events', 'silent');
  stack = await startStack({
    events: async () => new ReconnectingTransport(() => RabbitMqTransport.connect(url, { logger, consumers: CONSUMERS, connectTimeoutMs: 2_000 }), logger, 300),
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});


async function count(sql: string, params: unknown[]): Promise<number> {
  const db = new Client({ connectionString: stack.databases.profilesUrl });
  await db.connect();
  try {
    return Number((await db.query(sql, params)).rows[0].count);
  } finally {
    await db.end();
  }
}

const profilesOf = (userId: string) => count('SELECT count(*) FROM user_profiles WHERE user_id = $1', [userId]);

test('events flow through RabbitMQ', async () => {
  const userId = await createUser(stack, 'Via Rabbit');
  expect(await eventually(() => profilesOf(userId), (n) => n === 1, 30_000)).toBe(1);
});

test('through RabbitMQ too, deleting a user leaves no orphans and every mutation is audited once', async () => {
  const leaving = await createUser(stack, 'Leaving');
  const staying = await createUser(stack, 'Staying');
  const team = await createTeam(stack, 'Shared', leaving);
  await addMember(stack, team, staying, 'MEMBER');
  await createProject(stack, 'Personal', leaving);
  const shared = await createProject(stack, 'Shared work', leaving, team);
  expectNoErrors(await stack.query(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: leaving }, as(leaving)));
  const report = await eventually(() => integrityJson(stack.databases), (result) => result.orphansLeft === 0, 60_000, 500);
  expect(report.orphansLeft).toBe(0);
  const after = expectNoErrors(
    await stack.query<{ team: { members: { edges: { node: { role: string } }[] } }; project: { owner: null } }>(
      `query($t: ID!, $p: ID!) { team(id: $t) { members { edges { node { role } } } } project(id: $p) { owner { id } } }`,
      { t: team, p: shared },
    ),
  );
  expect(after.team.members.edges.map(({ node }) => node.role)).toEqual(['OWNER']);
  expect(after.project.owner).toBeNull();
  const audited = await eventually(
    async () =>
      expectNoErrors(await stack.query<{ auditLog: { edges: { node: { action: string } }[] } }>(`query($a: ID!) { auditLog(filter: { actorId: $a }) { edges { node { action } } } }`, { a: leaving })).auditLog.edges.map(({ node }) => node.action),
    (actions) => actions.includes('deleteUser'),
    30_000,
  );
  expect(audited.sort()).toEqual(['createProject', 'createProject', 'createTeam', 'deleteUser', 'register'].sort());
}, 120_000);

test('the broker is down when a user registers: registration succeeds, the profile appears once the broker is back, exactly once', async () => {
  await broker!.stop();
  broker = null;
  const userId = await createUser(stack, 'While Down');
  // The event waits in the user's document (the outbox), not lost.
  const users = await connectMongo(stack.databases.mongoUrl, stack.databases.usersDatabase);
  try {
    const waiting = await users.collection('users').findOne({ _id: userId } as never);
    expect(waiting?.hasOutbox).toBe(true);
  } finally {
    await users.close();
  }
  expect(await profilesOf(userId)).toBe(0);

  broker = await startRabbitMq(dir, 60_000, identity);
  expect(await eventually(() => profilesOf(userId), (n) => n === 1, 30_000)).toBe(1);
  // Once, however often the outbox or the broker delivered it.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await profilesOf(userId)).toBe(1);
  // One processed user.registered per registered user (the stack's admin, and the two here).
  const users2 = await connectMongo(stack.databases.mongoUrl, stack.databases.usersDatabase);
  const registered = await users2.collection('users').countDocuments();
  await users2.close();
  expect(await count(`SELECT count(*) FROM processed_events WHERE type = 'user.registered'`, [])).toBe(registered);
}, 120_000);
