import type { ProcessedEventRecord } from '../../../lib/events/MongoProcessedEvents';
import type { RecordKind, StoreEngine } from '../../../lib/storeMove/types';
import { isId } from '../../../lib/validate';
import { TEAM_ROLES, type Team } from '../domain';

/**
 * The teams service's records as a move copies them: whole, tombstones and token hashes included
 * (the domain types leave those out), outbox excluded.
 */
export interface TeamRecord extends Team {
  /** Set on a tombstone. putIfNewer applies a record only over a lower `revision` (bumped by every change). */
  deletedAt: Date | null;
}

/**
 * A team token has no revision; its fields only move one way, so putIfNewer merges: the
 * identifying fields never change, `lastUsedAt` and `revokedAt` keep the later of the two (a
 * token is never un-revoked, and a second revocation only moves its time forward).
 */
export interface TeamTokenRecord {
  id: string;
  teamId: string;
  name: string;
  createdBy: string;
  secretHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}


/** PostgreSQL's uuid columns hold lowercase uuids only; a MongoDB id of another shape would change or be refused. */
const uuidProblem = (what: string, value: string, target: StoreEngine) =>
  target === 'postgresql' && (!isId(value) || value !== value.toLowerCase()) ? `${what} "${value}" is not a lowercase uuid (PostgreSQL's uuid column)` : null;

export const TEAM_KINDS: readonly [RecordKind<TeamRecord>, RecordKind<TeamTokenRecord>, RecordKind<ProcessedEventRecord>] = [
  {
    name: 'teams',
    unmappable: (team, target) =>
      uuidProblem('the id', team.id, target) ??
      team.members.map((member) => uuidProblem('a member id', member.userId, target) ?? (TEAM_ROLES.includes(member.role) ? null : `a member has the role "${member.role}"`)).find(Boolean) ??
      null,
  },
  {
    name: 'team_tokens',
    unmappable: (token, target) => uuidProblem('the id', token.id, target) ?? uuidProblem('the team id', token.teamId, target) ?? uuidProblem('createdBy', token.createdBy, target),
  },
  { name: 'processed_events', unmappable: (event, target) => uuidProblem('the event id', event.id, target) },
];
