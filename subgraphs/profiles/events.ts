import { consume, payloadId } from '../../lib/events/consume';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { Logger } from '../../lib/logger';
import type { ProfileStore } from './ProfileStore';

/**
 * user.registered → the user's default profile; user.deleted → the profile goes. Each event once,
 * however often it arrives.
 */
export function consumeEvents(transport: EventTransport, store: ProfileStore, logger: Logger, queue = 'profiles'): Promise<Subscription> {
  return consume(transport, 'profiles', logger, (event) => {
    const userId = payloadId(event, 'userId');
    return store.once(event, (rules) => (event.type === 'user.deleted' ? rules.forgetUser(userId) : rules.createDefault(userId)));
  }, queue);
}
