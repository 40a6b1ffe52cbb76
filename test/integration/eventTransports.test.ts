import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../../engines/freePort';
import { createLogger } from '../../lib/logger';
import { domainEvent, type DomainEvent } from '../../lib/events/DomainEvent';
import type { EventTransport } from '../../lib/events/EventTransport';
import { PostgresTransport } from '../../lib/events/PostgresTransport';
import { RabbitMqTransport } from '../../lib/events/RabbitMqTransport';
import { databaseUrl, ensureDatabase } from '../../prisma/migrate';
import { testEngines } from '../support/stack';
import { testAmqpUrl } from '../support/rabbitmq';
import { startProxy } from '../support/tcpProxy';

/**
 * The promises of lib/events/EventTransport.ts, checked the same way on both transports against
 * real servers: RabbitMQ (a node started for the run by test/support/rabbitmq.ts) and PostgreSQL.
 * Every test uses event types and consumer names of its own, so tests never see each other's events.
 */

const logger = createLogger('events-test', 'silent');

interface TransportCase {
  name: string;
  /** URL of the server; set up once per case. */
  setUp(): Promise<string>;
  tearDown(): Promise<void>;
  connect(url: string): Promise<EventTransport>;
}

let eventsDatabase = '';
const cases: TransportCase[] = [
  {
    name: 'RabbitMQ',
    setUp: async () => testAmqpUrl(),
    tearDown: async () => undefined,
    connect: (url) => RabbitMqTransport.connect(url, { logger, connectTimeoutMs: 3000 }),
  },
  {
    name: 'PostgreSQL',
    setUp: async () => {
      const { postgresUrl } = testEngines();
      eventsDatabase = `schemaflow_events_${randomBytes(4).toString('hex')}`;
      await ensureDatabase(postgresUrl, eventsDatabase);
      return databaseUrl(postgresUrl, eventsDatabase);
    },
    tearDown: async () => {
      if (!eventsDatabase) return;
      const admin = new Client({ connectionString: testEngines().postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${eventsDatabase}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
    connect: (url) => PostgresTransport.connect(url, { logger, connectTimeoutMs: 3000, pollIntervalMs: 50 }),
  },
];

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

function unique(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

describe.each(cases)('event transport on $name', (transportCase) => {
  let url: string;
  let transport: EventTransport;

  beforeAll(async () => {
    url = await transportCase.setUp();
    transport = await transportCase.connect(url);
  });

  afterAll(async () => {
    await transport?.close();
    await transportCase.tearDown();
  });

  test('publish then consume: each consumer gets each event once, including events published while it was stopped', async () => {
    const type = unique('test.published.');
    const [first, second] = [unique('first-'), unique('second-')];
    const seen: Record<string, DomainEvent[]> = { [first]: [], [second]: [] };
    // Declares both consumers, then stops them: the events below are published while they are down.
    for (const consumer of [first, second]) await (await transport.subscribe(consumer, [type], async () => undefined)).stop();
    const events = [1, 2, 3].map((n) => domainEvent('test', type, { n }));
    await transport.publish(events);
    const subscriptions = await Promise.all(
      [first, second].map((consumer) => transport.subscribe(consumer, [type], async (event) => void seen[consumer]!.push(event))),
    );
    await waitFor('both consumers to get the three events', () => seen[first]!.length >= 3 && seen[second]!.length >= 3);
    await settle();
    for (const subscription of subscriptions) await subscription.stop();
    for (const consumer of [first, second]) {
      expect(seen[consumer]!.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(seen[consumer]!.find((event) => event.id === events[0]!.id)).toEqual(events[0]);
    }
  });

  test('a consumer gets only the types it subscribed to', async () => {
    const [wanted, other] = [unique('test.wanted.'), unique('test.other.')];
    const seen: DomainEvent[] = [];
    const subscription = await transport.subscribe(unique('picky-'), [wanted], async (event) => void seen.push(event));
    await transport.publish([domainEvent('test', other, {}), domainEvent('test', wanted, {})]);
    await waitFor('the wanted event', () => seen.length >= 1);
    await settle();
    await subscription.stop();
    expect(seen.map((event) => event.type)).toEqual([wanted]);
  });

  test('a handler failing twice then succeeding gets the event three times and does not dead-letter it', async () => {
    const type = unique('test.flaky.');
    const consumer = unique('flaky-');
    let calls = 0;
    const subscription = await transport.subscribe(
      consumer,
      [type],
      async () => {
        calls += 1;
        if (calls <= 2) throw new Error(`transient failure ${calls}`);
      },
      { maxAttempts: 5 },
    );
    const event = domainEvent('test', type, {});
    await transport.publish([event]);
    await waitFor('the third delivery', () => calls >= 3);
    await settle();
    await subscription.stop();
    expect(calls).toBe(3);
    expect(await transport.deadLetters(consumer)).toEqual([]);
  });

  test('an always failing handler: after maxAttempts the event is dead-lettered with the reason and not retried', async () => {
    const type = unique('test.poison.');
    const consumer = unique('poisoned-');
    let calls = 0;
    const subscription = await transport.subscribe(
      consumer,
      [type],
      async () => {
        calls += 1;
        throw new Error('profile store refuses this user');
      },
      { maxAttempts: 3 },
    );
    const event = domainEvent('test', type, { userId: 'u1' });
    await transport.publish([event]);
    await waitFor('the dead letter', async () => (await transport.deadLetters(consumer)).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await subscription.stop();
    expect(calls).toBe(3);
    const dead = await transport.deadLetters(consumer);
    expect(dead).toEqual([{ event, reason: 'profile store refuses this user' }]);
    // Reading the dead letters leaves them there.
    expect(await transport.deadLetters(consumer)).toHaveLength(1);
  });

  test('an event published twice (same id) is delivered at least once, always with that id', async () => {
    const type = unique('test.republished.');
    const seen: DomainEvent[] = [];
    const subscription = await transport.subscribe(unique('idempotent-'), [type], async (event) => void seen.push(event));
    const event = domainEvent('test', type, {});
    await transport.publish([event]);
    await transport.publish([event]); // the relay crashed between publishing and marking published
    await waitFor('a delivery', () => seen.length >= 1);
    await settle();
    await subscription.stop();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(new Set(seen.map((delivered) => delivered.id))).toEqual(new Set([event.id]));
  });

  test('the server is down: publish rejects (so the outbox keeps the events), connect fails fast', async () => {
    const proxy = await startProxy(Number(new URL(url).port || 5672));
    const proxied = new URL(url);
    proxied.port = String(proxy.port);
    const cutOff = await transportCase.connect(proxied.toString());
    try {
      await cutOff.publish([domainEvent('test', unique('test.before.'), {})]);
      await proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      await expect(cutOff.publish([domainEvent('test', unique('test.lost.'), {})])).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await cutOff.close().catch(() => undefined);
    }
    const nobody = new URL(url);
    nobody.port = String(await freePort());
    const started = Date.now();
    await expect(transportCase.connect(nobody.toString())).rejects.toThrow(/cannot (connect|open)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
