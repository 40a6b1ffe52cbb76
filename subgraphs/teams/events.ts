import { consume, payloadId } from '../../lib/events/consume';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { ProcessedEvents } from '../../lib/events/ProcessedEvents';
import type { Logger } from '../../lib/logger';
import { forgetUser } from './forgetUser';
import type { TeamStore } from './TeamStore';
import type { TeamTokenStore } from './TeamTokenStore';

/** user.deleted → the user leaves every team (forgetUser.ts), each event once. */
export function consumeEvents(
  transport: EventTransport,
  stores: { teams: TeamStore; tokens: TeamTokenStore; processed: ProcessedEvents },
  logger: Logger,
): Promise<Subscription> {
  return consume(transport, 'teams', logger, (event) => {
    const userId = payloadId(event, 'userId');
    return stores.processed.once(event, () => forgetUser(stores.teams, stores.tokens, userId));
  });
}
