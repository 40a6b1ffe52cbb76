import { consume, payloadId } from '../../lib/events/consume';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { Logger } from '../../lib/logger';
import { forgetTeam, forgetUser, type ProjectStore } from './store';

/** user.deleted and team.deleted → the delete rules (see store.ts), each event once. */
export function consumeEvents(transport: EventTransport, store: ProjectStore, logger: Logger, queue = 'projects'): Promise<Subscription> {
  return consume(transport, 'projects', logger, (event) => {
    if (event.type === 'user.deleted') {
      const userId = payloadId(event, 'userId');
      return store.once(event, (tx) => forgetUser(tx, userId));
    }
    const teamId = payloadId(event, 'teamId');
    return store.once(event, (tx) => forgetTeam(tx, teamId));
  }, queue);
}
