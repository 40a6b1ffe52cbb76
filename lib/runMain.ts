import type { Logger } from './logger';

export interface Stoppable {
  /** Where the service listens, reported to a parent process once it is ready. */
  url?: string;
  stop(): Promise<void>;
}

/**
 * The life of a service process: start, then stop cleanly on SIGINT/SIGTERM or when the parent
 * that spawned it (scripts/start.ts) goes away. A failed start logs why and exits non-zero rather
 * than leaving a half-started process behind.
 */
export function runMain(logger: Logger, start: () => Promise<Stoppable>): void {
  let stopping: Promise<void> | null = null;
  let running: Stoppable | null = null;

  const stop = (reason: string) => {
    if (stopping) return;
    logger.info(`stopping (${reason})`);
    stopping = (running ? running.stop() : Promise.resolve()).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('failed to stop cleanly', error);
        process.exit(1);
      },
    );
  };

  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Spawned with an IPC channel by scripts/start.ts: if that parent dies, so do we.
  if (process.send) process.on('disconnect', () => stop('parent exited'));

  start().then(
    (service) => {
      running = service;
      if (stopping) void service.stop();
      // Tells scripts/start.ts (when it spawned us) that we are ready, and where.
      else process.send?.({ type: 'ready', url: service.url });
    },
    (error: unknown) => {
      logger.error('failed to start', error);
      process.exit(1);
    },
  );
}
