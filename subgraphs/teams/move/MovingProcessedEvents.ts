import type { DomainEvent } from '../../../lib/events/DomainEvent';
import type { ProcessedEvents } from '../../../lib/events/ProcessedEvents';
import type { MoveFollower } from '../../../lib/storeMove/MoveFollower';
import type { TeamsData } from '../TeamsData';

/**
 * The handled events while the service may be moving. The effect's own writes go through the
 * moving stores (each held at a barrier, journaled and mirrored); the "handled" mark around them
 * is journaled and mirrored but not held, or it would wait for a barrier that waits for it.
 */
export class MovingProcessedEvents implements ProcessedEvents {
  constructor(private readonly follower: MoveFollower<TeamsData>) {}

  once(event: Pick<DomainEvent, 'id' | 'type'>, effect: () => Promise<unknown>): Promise<boolean> {
    return this.follower.unheld([{ kind: 'processed_events', ids: [event.id] }], (primary) => primary.processed.once(event, effect));
  }
}
