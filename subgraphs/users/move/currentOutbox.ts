import type { OutboxSource } from '../../../lib/events/OutboxRelay';

/** An outbox that is always the current primary's (the service relays both stores' outboxes itself during a move: server.ts). */
export function currentOutbox(current: () => OutboxSource): OutboxSource {
  return {
    pending: (limit) => current().pending(limit),
    markPublished: (ids) => current().markPublished(ids),
    backlog: () => current().backlog(),
  };
}
