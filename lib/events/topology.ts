/**
 * Which service consumes which events: one durable queue per consumer. Every service declares the
 * whole topology when it connects, so an event published before its consumer ever started is
 * still queued for it (RabbitMQ drops messages that no queue is bound for).
 */
export const CONSUMERS = {
  /** The users service keeps the audit log of every service's mutations. */
  audit: ['audit.recorded'],
  teams: ['user.deleted'],
  projects: ['user.deleted', 'team.deleted'],
  profiles: ['user.registered', 'user.deleted'],
} as const satisfies Record<string, readonly string[]>;

export type ConsumerName = keyof typeof CONSUMERS;
