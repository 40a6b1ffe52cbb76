import type { ProcessedEvents } from '../../lib/events/ProcessedEvents';
import type { TeamStore } from './TeamStore';
import type { TeamTokenStore } from './TeamTokenStore';

/** The teams service's stores on one database, whichever engine it is, and that database's health and end. */
export interface TeamsData {
  teams: TeamStore;
  tokens: TeamTokenStore;
  /** user.deleted events already handled. */
  processed: ProcessedEvents;
  ping(): Promise<void>;
  close(): Promise<void>;
}
