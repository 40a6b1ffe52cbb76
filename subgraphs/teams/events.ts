import type { UserDeleted } from '../../lib/events/DomainEvent';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { MongoProcessedEvents } from '../../lib/events/MongoProcessedEvents';
import { CONSUMERS } from '../../lib/events/topology';
import type { Logger } from '../../lib/logger';
import { isId } from '../../lib/validate';
import { forgetUser } from './forgetUser';
import type { TeamStore } from './store';
import type { TeamTokenStore } from './TeamTokenStore';

/** user.deleted → the user leaves every team (forgetUser.ts), each event once. */
export function consumeEvents(
  transport: EventTransport,
  stores: { teams: TeamStore; tokens: TeamTokenStore; processed: MongoProcessedEvents },
  logger: Logger,
  consumer = 'teams',
): Promise<Subscription> {
  return transport.subscribe(consumer, CONSUMERS.teams, async (event) => {
    const { userId } = event.payload as UserDeleted;
    if (!isId(userId)) throw new Error(`user.deleted ${event.id} carries no valid userId`);
    const applied = await stores.processed.once(event, () => forgetUser(stores.teams, stores.tokens, userId));
    if (!applied) logger.debug(`event ${event.id} was already handled`);
  });
}
