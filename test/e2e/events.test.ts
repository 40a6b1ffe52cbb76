import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { domainEvent } from '../../lib/events/DomainEvent';
import { OutboxRelay } from '../../lib/events/OutboxRelay';
import { createLogger } from '../../lib/logger';
import { connectMongo } from '../../lib/mongo';
import { createPrismaClient } from '../../lib/prisma';
import { PrismaClient as ProfilesClient } from '../../prisma/profiles/generated/client';
import { consumeEvents } from '../../subgraphs/profiles/events';
import { PrismaProfileStore } from '../../subgraphs/profiles/PrismaProfileStore';
import type { ProfileRules } from '../../subgraphs/profiles/ProfileStore';
import { PrismaClient as ProjectsClient } from '../../prisma/projects/generated/client';
import { PrismaProjectStore } from '../../subgraphs/projects/PrismaProjectStore';
import { testAudit } from '../support/audit';
import { MongoUserStore } from '../../subgraphs/users/MongoUserStore';
import { eventually } from '../support/eventually';
import { createUser } from '../support/fixtures';
import { createDatabases, dropDatabases, startStack, type Stack } from '../support/stack';

/**
 * Domain events between services (here through the stack's PostgreSQL transport; the same
 * promises hold on RabbitMQ, see eventsBroker.test.ts and the transports' contract tests).
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function profilesDb<T>(run: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: stack.databases.profilesUrl });
  await db.connect();
  try {
    return await run(db);
  } finally {
    await db.end();
  }
}


const profilesOf = (userId: string) =>
  profilesDb(async (db) => Number((await db.query('SELECT count(*) FROM user_profiles WHERE user_id = $1', [userId])).rows[0].count));

test('registering makes the default profile through user.registered, without anyone reading it', async () => {
  const userId = await createUser(stack, 'Evented');
  expect(await eventually(() => profilesOf(userId), (count) => count === 1)).toBe(1);
  const processed = await profilesDb(async (db) => (await db.query(`SELECT type FROM processed_events`)).rows.map((row) => row.type));
  expect(processed).toContain('user.registered');
});

test('a redelivered event changes nothing', async () => {
  const userId = await createUser(stack, 'Twice');
  await eventually(() => profilesOf(userId), (count) => count === 1);
  const before = await profilesDb(async (db) => Number((await db.query('SELECT count(*) FROM processed_events')).rows[0].count));
  // The same event again (same id), as an at-least-once transport may deliver it, plus a new
  // event for the same user (a replay from another outbox pass): still one profile.
  const event = await profilesDb(async (db) => (await db.query('SELECT event_id FROM processed_events ORDER BY processed_at DESC LIMIT 1')).rows[0].event_id as string);
  await stack.events.publish([{ ...domainEvent('users', 'user.registered', { userId }), id: event }]);
  await stack.events.publish([domainEvent('users', 'user.registered', { userId })]);
  const after = await eventually(
    () => profilesDb(async (db) => Number((await db.query('SELECT count(*) FROM processed_events')).rows[0].count)),
    (count) => count === before + 1,
  );
  expect(after).toBe(before + 1); // the repeated id is not processed again; the new one is, harmlessly
  expect(await profilesOf(userId)).toBe(1);
});

test('an event that always fails ends in the dead-letter queue with its reason, and is not retried forever', async () => {
  const poison = domainEvent('users', 'user.registered', { userId: 'not-a-user-id' });
  await stack.events.publish([poison]);
  const dead = await eventually(
    () => stack.events.deadLetters('profiles'),
    (letters) => letters.some((letter) => letter.event.id === poison.id),
  );
  const letter = dead.find((entry) => entry.event.id === poison.id);
  expect(letter?.reason).toMatch(/no valid userId/);
  // Later events still flow.
  const userId = await createUser(stack, 'After Poison');
  expect(await eventually(() => profilesOf(userId), (count) => count === 1)).toBe(1);
});

describe('faults', () => {
  test('a consumer that crashes halfway through an event processes it once, not twice, when it comes again', async () => {
    const databases = await createDatabases();
    const db = createPrismaClient(ProfilesClient, databases.profilesUrl);
    const userId = randomUUID();
    const event = domainEvent('users', 'user.registered', { userId });
    let runs = 0;
    // The effect is written, then the process "dies" before the transaction commits (first delivery only).
    // (This new consumer also gets the events published earlier in this file; only ours crashes.)
    class CrashingOnce extends PrismaProfileStore {
      override once(delivered: { id: string; type: string }, effect: (rules: ProfileRules) => Promise<unknown>) {
        if (delivered.id !== event.id) return super.once(delivered, effect);
        return super.once(delivered, async (rules) => {
          await effect(rules);
          if (runs++ === 0) throw new Error('crashed halfway');
        });
      }
    }
    const subscription = await consumeEvents(stack.events, new CrashingOnce(db), createLogger('test', 'silent'), 'profiles-crash-test');
    try {
      await stack.events.publish([event]);
      const count = () => db.userProfile.count({ where: { userId } });
      expect(await eventually(count, (n) => n === 1 && runs >= 2)).toBe(1);
      expect(runs).toBe(2); // the crashed run, then the one that committed; none after
      expect(await db.processedEvent.count({ where: { eventId: event.id } })).toBe(1);
    } finally {
      await subscription.stop();
      await db.$disconnect();
      await dropDatabases(databases);
    }
  });

  test('a service that stops between writing a change and relaying its event: the event still arrives', async () => {
    const databases = await createDatabases();
    const userId = randomUUID();
    // Before the "crash": the user and its event are written together, nothing relays them.
    const first = await connectMongo(databases.mongoUrl, databases.usersDatabase);
    const users = new MongoUserStore(first);
    await users.create({ id: userId, email: `restart.${userId}@example.test`, name: 'Restart', role: 'CUSTOMER', events: (id) => [domainEvent('users', 'user.registered', { userId: id })] });
    await first.close();
    // After the restart: a new process finds the event in the outbox and relays it.
    const second = await connectMongo(databases.mongoUrl, databases.usersDatabase);
    const relay = new OutboxRelay(new MongoUserStore(second).outbox(), stack.events, createLogger('test', 'silent'));
    try {
      expect(await relay.relayAll()).toBe(1);
      expect(await eventually(() => profilesOf(userId), (n) => n === 1)).toBe(1);
      expect(await relay.relayAll()).toBe(0); // the outbox is empty now
    } finally {
      await second.close();
      await dropDatabases(databases);
    }
  });

  test('the same in a PostgreSQL service: a change committed with its outbox row is relayed after a restart', async () => {
    const databases = await createDatabases();
    const ownerId = await createUser(stack, 'Restarted Owner');
    // Before the "crash": the project and its audit event commit together; nothing relays them.
    const before = createPrismaClient(ProjectsClient, databases.projectsUrl);
    const project = await new PrismaProjectStore(before).create({ name: 'Survivor', type: 'REST', ownerId, teamId: null }, testAudit('projects', 'createProject', 'Project'));
    await before.$disconnect();
    // After the restart: a new client relays what the outbox holds, and the audit entry arrives.
    const after = createPrismaClient(ProjectsClient, databases.projectsUrl);
    const relay = new OutboxRelay(new PrismaProjectStore(after).outbox(), stack.events, createLogger('test', 'silent'));
    try {
      expect(await relay.relayAll()).toBe(1);
      expect(await relay.relayAll()).toBe(0);
      const entries = await eventually(
        async () => (await stack.query<{ auditLog: { edges: { node: { action: string } }[] } }>(
          `query($id: ID!) { auditLog(filter: { resourceType: "Project", resourceId: $id }) { edges { node { action } } } }`,
          { id: project.id },
        )).body.data?.auditLog.edges ?? [],
        (edges) => edges.length === 1,
      );
      expect(entries.map((edge) => edge.node.action)).toEqual(['createProject']);
    } finally {
      await after.$disconnect();
      await dropDatabases(databases);
    }
  });
});
