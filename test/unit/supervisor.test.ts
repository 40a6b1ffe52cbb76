import { Supervisor, type RestartPolicy, type SupervisedProcess, type SupervisorClock } from '../../scripts/Supervisor';

/** The supervisor's decisions with fake processes and a fake clock (the real one: test/e2e/startSupervision.test.ts). */

class FakeProcess implements SupervisedProcess {
  stopped = false;
  private end!: (code: number | null) => void;
  readonly exited = new Promise<number | null>((resolve) => (this.end = resolve));
  crash(code: number | null = null): void {
    this.end(code);
  }
  async stop(): Promise<void> {
    this.stopped = true;
    this.end(0);
  }
}

/** A clock the test moves: sleeps are recorded and end at once, time only moves when told. */
class FakeClock implements SupervisorClock {
  time = 0;
  sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
  }
}

const POLICY: RestartPolicy = { initialBackoffMs: 100, maxBackoffMs: 1_000, maxCrashes: 4, crashWindowMs: 60_000 };

/** Lets the supervisor's promise chains run (crash → sleep → relaunch). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setUp(policy = POLICY) {
  const clock = new FakeClock();
  const log: string[] = [];
  const supervisor = new Supervisor(policy, (message) => log.push(message), clock);
  const launched: Record<string, FakeProcess[]> = {};
  const launcher = (name: string) => async () => {
    const process = new FakeProcess();
    (launched[name] ??= []).push(process);
    return process;
  };
  const latest = (name: string) => launched[name]!.at(-1)!;
  return { clock, log, supervisor, launched, launcher, latest };
}

test('a crashed service is started again, the same way, while the others keep running', async () => {
  const { supervisor, launcher, launched, latest, log, clock } = setUp();
  await supervisor.start('users', launcher('users'));
  await supervisor.start('payments', launcher('payments'));
  latest('payments').crash();
  await settle();
  expect(launched.payments).toHaveLength(2);
  expect(launched.users).toHaveLength(1);
  expect(launched.users![0]!.stopped).toBe(false);
  expect(clock.sleeps).toEqual([100]);
  expect(supervisor.status()).toEqual({ users: 'running', payments: 'running' });
  expect(log).toEqual([expect.stringMatching(/^payments exited unexpectedly \(killed by a signal\); restarting it in 100 ms/), 'payments is running again']);
});

test('each crash within the window doubles the pause, up to the maximum', async () => {
  const { supervisor, launcher, latest, clock } = setUp({ ...POLICY, maxCrashes: 10, maxBackoffMs: 500 });
  await supervisor.start('teams', launcher('teams'));
  for (let i = 0; i < 5; i++) {
    clock.time += 1_000;
    latest('teams').crash(1);
    await settle();
  }
  expect(clock.sleeps).toEqual([100, 200, 400, 500, 500]);
});

test('crashes older than the window no longer count: a service that ran a while starts again at the first pause', async () => {
  const { supervisor, launcher, latest, clock } = setUp();
  await supervisor.start('teams', launcher('teams'));
  latest('teams').crash();
  await settle();
  clock.time += 10_000;
  latest('teams').crash();
  await settle();
  clock.time += 120_000;
  latest('teams').crash();
  await settle();
  expect(clock.sleeps).toEqual([100, 200, 100]);
});

test('a crash loop gives up on that service alone and says so', async () => {
  const { supervisor, launcher, launched, latest, log } = setUp();
  await supervisor.start('users', launcher('users'));
  await supervisor.start('payments', launcher('payments'));
  for (let i = 0; i < 4; i++) {
    latest('payments').crash(1);
    await settle();
  }
  expect(launched.payments).toHaveLength(4); // the first start and three restarts; the fourth crash is the last
  expect(supervisor.status()).toEqual({ users: 'running', payments: 'given up' });
  expect(launched.users![0]!.stopped).toBe(false);
  expect(log.at(-1)).toMatch(/^payments exited unexpectedly \(code 1\); it crashed 4 times within 60 s, so it is given up on and NOT restarted/);
});

test('a restart that fails before the service is ready counts as a crash', async () => {
  const { supervisor, log } = setUp({ ...POLICY, maxCrashes: 3 });
  let attempts = 0;
  const first = new FakeProcess();
  await supervisor.start('profiles', async () => {
    attempts++;
    if (attempts === 1) return first;
    throw new Error('profiles exited with code 1 before it was ready');
  });
  first.crash(1);
  await settle();
  expect(attempts).toBe(3);
  expect(supervisor.status()).toEqual({ profiles: 'given up' });
  expect(log[1]).toMatch(/^profiles failed to start again \(profiles exited with code 1 before it was ready\); restarting it in 200 ms/);
});

test('a first start that fails is the caller’s to handle', async () => {
  const { supervisor } = setUp();
  await expect(
    supervisor.start('gateway', async () => {
      throw new Error('port in use');
    }),
  ).rejects.toThrow('port in use');
  expect(supervisor.status()).toEqual({});
});

test('stop() stops every service, last started first, and nothing is restarted after it', async () => {
  const { supervisor, launcher, launched } = setUp();
  const order: string[] = [];
  for (const name of ['users', 'teams', 'gateway']) {
    await supervisor.start(name, async () => {
      const process = await launcher(name)();
      const stop = process.stop.bind(process);
      process.stop = async () => {
        order.push(name);
        await stop();
      };
      return process;
    });
  }
  await supervisor.stop();
  await settle();
  expect(order).toEqual(['gateway', 'teams', 'users']);
  expect(Object.values(launched).map((processes) => processes.length)).toEqual([1, 1, 1]);
});

test('a service being restarted when stop() is called is stopped once it is up', async () => {
  const clock = new FakeClock();
  const supervisor = new Supervisor(POLICY, () => undefined, clock);
  const processes: FakeProcess[] = [];
  let finishLaunch: () => void = () => undefined;
  await supervisor.start('users', async () => {
    const process = new FakeProcess();
    processes.push(process);
    if (processes.length > 1) await new Promise<void>((resolve) => (finishLaunch = resolve));
    return process;
  });
  processes[0]!.crash();
  await settle();
  expect(processes).toHaveLength(2); // launching, not ready yet
  const stopped = supervisor.stop();
  finishLaunch();
  await stopped;
  expect(processes[1]!.stopped).toBe(true);
});
