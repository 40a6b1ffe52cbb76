import type { TeamDeleted, UserDeleted } from '../../lib/events/DomainEvent';
import type { EventTransport, Subscription } from '../../lib/events/EventTransport';
import { CONSUMERS } from '../../lib/events/topology';
import type { Logger } from '../../lib/logger';
import { isId } from '../../lib/validate';
import { forgetTeam, forgetUser, type ProjectStore } from './store';

/** user.deleted and team.deleted → the delete rules (see store.ts), each event once. */
export function consumeEvents(transport: EventTransport, store: ProjectStore, logger: Logger, consumer = 'projects'): Promise<Subscription> {
  return transport.subscribe(consumer, CONSUMERS.projects, async (event) => {
    let applied: boolean;
    if (event.type === 'user.deleted') {
      const { userId } = event.payload as UserDeleted;
      if (!isId(userId)) throw new Error(`user.deleted ${event.id} carries no valid userId`);
      applied = await store.once(event, (tx) => forgetUser(tx, userId));
    } else {
      const { teamId } = event.payload as TeamDeleted;
      if (!isId(teamId)) throw new Error(`team.deleted ${event.id} carries no valid teamId`);
      applied = await store.once(event, (tx) => forgetTeam(tx, teamId));
    }
    if (!applied) logger.debug(`event ${event.id} was already handled`);
  });
}
