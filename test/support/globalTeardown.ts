import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const rabbitMq = globalThis.__RABBITMQ__;
  if (rabbitMq) {
    await rabbitMq.server.stop();
    rmSync(rabbitMq.dir, { recursive: true, force: true });
  }
  const started = globalThis.__ENGINES__;
  if (!started) return;
  await started.engines.stop();
  rmSync(started.dir, { recursive: true, force: true });
}
