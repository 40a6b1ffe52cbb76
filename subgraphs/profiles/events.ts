import type { UserDeleted, UserRegistered } from '../../lib/events/DomainEvent';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { Logger } from '../../lib/logger';
import { CONSUMERS } from '../../lib/events/topology';
import { isId } from '../../lib/validate';
import { ProfileStore } from './store';

/**
 * user.registered → the user's default profile; user.deleted → the profile goes. Each event once,
 * however often it arrives.
 */
export function consumeEvents(transport: EventTransport, store: ProfileStore, logger: Logger, consumer = 'profiles'): Promise<Subscription> {
  return transport.subscribe(consumer, CONSUMERS.profiles, async (event) => {
    const { userId } = event.payload as UserRegistered | UserDeleted;
    if (!isId(userId)) throw new Error(`${event.type} ${event.id} carries no valid userId`);
    const applied = await store.once(event, (tx) =>
      event.type === 'user.deleted' ? ProfileStore.deleteOf(tx, userId) : ProfileStore.createDefault(tx, userId),
    );
    if (!applied) logger.debug(`event ${event.id} was already handled`);
  });
}
