import type { Logger } from '../logger';
import { MoveFollower, type MoveFollowerOptions } from './MoveFollower';
import type { MoveStateStore } from './MoveStateStore';
import type { MoveAdapters, StoreEngine } from './types';

/** A service's stores on one engine, as a service instance opens them. */
export interface ServiceData {
  moveAdapters: MoveAdapters;
  close(): Promise<void>;
}

export interface FollowedMove<D> {
  follower: MoveFollower<D>;
  /** The service's stores on each engine (their outboxes are all relayed while both are open). */
  sides: Readonly<Record<StoreEngine, D>>;
  /** Stops following and closes both stores and the state. */
  close(): Promise<void>;
}

/**
 * Opens a service's stores on both engines and the move's shared state, and starts following the
 * move (nothing moving: the home store serves alone, see MoveFollower). Whatever was opened is
 * closed again when a later step fails.
 */
export async function followMove<D extends ServiceData>(
  service: string,
  home: StoreEngine,
  open: { mongodb: () => Promise<D>; postgresql: () => D | Promise<D>; state: () => Promise<MoveStateStore> },
  logger: Logger,
  options?: MoveFollowerOptions,
): Promise<FollowedMove<D>> {
  const opened: { close(): Promise<void> }[] = [];
  const closeOpened = async () => {
    for (const store of opened.reverse()) await store.close();
  };
  try {
    const mongodb = await open.mongodb();
    opened.push(mongodb);
    const postgresql = await open.postgresql();
    opened.push(postgresql);
    const state = await open.state();
    opened.push(state);
    const side = (data: D) => ({ data, adapters: data.moveAdapters });
    const follower = new MoveFollower(service, home, { mongodb: side(mongodb), postgresql: side(postgresql) }, state, logger, options);
    await follower.start();
    return {
      follower,
      sides: { mongodb, postgresql },
      close: async () => {
        await follower.stop();
        await closeOpened();
      },
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
