import { consume, payloadId } from '../../lib/events/consume';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import type { Logger } from '../../lib/logger';
import type { ProjectStore } from './ProjectStore';

/** user.deleted and team.deleted → the delete rules (see ProjectStore.ts), each event once. */
export function consumeEvents(transport: EventTransport, store: ProjectStore, logger: Logger, queue = 'projects'): Promise<Subscription> {
  return consume(transport, 'projects', logger, (event) => {
    if (event.type === 'user.deleted') {
      const userId = payloadId(event, 'userId');
      return store.once(event, (rules) => rules.forgetUser(userId));
    }
    const teamId = payloadId(event, 'teamId');
    return store.once(event, (rules) => rules.forgetTeam(teamId));
  }, queue);
}
