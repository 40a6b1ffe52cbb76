import type { ProcessedEvents } from '../../lib/events/ProcessedEvents';
import type { MoveAdapters } from '../../lib/storeMove/types';
import type { TeamStore } from './TeamStore';
import type { TeamTokenStore } from './TeamTokenStore';

/** The teams service's stores on one database, whichever engine it is, and that database's health and end. */
export interface TeamsData {
  teams: TeamStore;
  tokens: TeamTokenStore;
  /** user.deleted events already handled. */
  processed: ProcessedEvents;
  /** Each kind of record as a store move copies it (move/records.ts: teams, team_tokens, processed_events). */
  moveAdapters: MoveAdapters;
  ping(): Promise<void>;
  close(): Promise<void>;
}
