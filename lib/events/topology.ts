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
  // Every process that verifies access tokens keeps a list of ended sessions (lib/auth/revocationEvents.ts).
  'sessions.users': ['user.access-changed'],
  'sessions.teams': ['user.access-changed'],
  'sessions.projects': ['user.access-changed'],
  'sessions.payments': ['user.access-changed'],
  'sessions.profiles': ['user.access-changed'],
  'sessions.gateway': ['user.access-changed'],
} as const satisfies Record<string, readonly string[]>;

export type ConsumerName = keyof typeof CONSUMERS;
