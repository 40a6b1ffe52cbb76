import { AppError } from '../../lib/errors';
import { Bulkhead } from '../../lib/Bulkhead';

/** Bounded concurrency with a bounded queue (lib/Bulkhead.ts), with work the test finishes by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('runs at most `concurrency` at once and the rest in arrival order', async () => {
  const bulkhead = new Bulkhead({ concurrency: 2, queue: 10, what: 'hashes', retryAfterSeconds: 1 });
  const gates = Array.from({ length: 5 }, gate);
  const started: number[] = [];
  const runs = gates.map((g, i) =>
    bulkhead.run(async () => {
      started.push(i);
      await g.opened;
      return i;
    }),
  );
  await settle();
  expect(started).toEqual([0, 1]);
  expect(bulkhead.load()).toEqual({ active: 2, waiting: 3 });
  gates[1]!.open();
  await settle();
  expect(started).toEqual([0, 1, 2]);
  for (const g of gates) g.open();
  expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
  expect(bulkhead.load()).toEqual({ active: 0, waiting: 0 });
});

test('beyond the queue it refuses at once with SERVICE_UNAVAILABLE and retryAfterSeconds', async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, queue: 2, what: 'sign-ins', retryAfterSeconds: 3 });
  const g = gate();
  const accepted = Array.from({ length: 3 }, () => bulkhead.run(() => g.opened));
  await settle();
  const refused = await bulkhead.run(async () => 'never').catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(AppError);
  expect((refused as AppError).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 3 });
  expect((refused as AppError).message).toBe('too many sign-ins at the moment; try again in 3 seconds');
  g.open();
  await Promise.all(accepted);
  // Room again once they are done.
  await expect(bulkhead.run(async () => 'ran')).resolves.toBe('ran');
});

test('work that fails gives its turn to the next one', async () => {
  const bulkhead = new Bulkhead({ concurrency: 1, queue: 5, what: 'hashes', retryAfterSeconds: 1 });
  const failing = bulkhead.run(async () => {
    throw new Error('boom');
  });
  const next = bulkhead.run(async () => 'next');
  await expect(failing).rejects.toThrow('boom');
  await expect(next).resolves.toBe('next');
  expect(bulkhead.load()).toEqual({ active: 0, waiting: 0 });
});
