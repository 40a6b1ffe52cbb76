import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { AuditFor } from '../../lib/events/audit';
import type { JsonValue } from '../../lib/json';
import type { Tagged } from '../../lib/loaders';
import type { Page } from '../../lib/pagination';
import type { ReferenceScan } from '../../lib/references';
import type { Project, ProjectFilter, ProjectScope, ProjectType, ProjectVersion, VersionSummary } from './domain';

export interface NewProject {
  name: string;
  type: ProjectType;
  ownerId: string;
  teamId: string | null;
}

export interface ProjectChanges {
  name?: string;
  type?: ProjectType;
  teamId?: string | null;
}

export interface NewVersion {
  projectId: string;
  document: JsonValue;
  message: string | null;
  /** Null when a team API token commits. */
  authorId: string | null;
}

/** What the delete rules did (README, "Deleting users and teams"). */
export interface Forgotten {
  deleted: number;
  detached: number;
  versionsReassigned: number;
}

/**
 * The delete rules, the same for the domain events (user.deleted, team.deleted) and for the
 * integrity repair. Whatever leaves a project with neither owner nor team deletes it: user.deleted
 * and team.deleted for one project may be handled at once, and whichever lands last removes it.
 */
export interface ProjectDeleteRules {
  /**
   * A deleted user's projects: personal ones (no team) are deleted with their versions; team
   * projects stay with the team without an owner; versions they wrote in projects that stay lose
   * their author (the content is the team's).
   */
  forgetUser(userId: string): Promise<Forgotten>;
  /** A deleted team's projects go back to their owners as personal projects; one without an owner is deleted. */
  forgetTeam(teamId: string): Promise<Forgotten>;
}

/** The users and teams the projects name (`versionAuthor`: their versions), as the integrity check scans them. */
export type ProjectReference = 'owner' | 'team' | 'versionAuthor';

/**
 * What the projects service needs of the database that keeps its projects and versions. Each
 * write also writes its audit event (`audit`) to the store's outbox, atomically with the change.
 */
export interface ProjectStore extends ProjectDeleteRules, ReferenceScan<ProjectReference> {
  findByIds(ids: readonly string[]): Promise<Project[]>;
  /** A page (newest first, `page.limit + 1` rows at most) of the projects matching `filter` that `scope` lets the caller see (all when null). */
  list(filter: ProjectFilter, page: Page, scope: ProjectScope | null): Promise<Project[]>;
  /** A page of projects per owner, for many owners at once; only those `scope` lets the caller see, when one is given. */
  pagesByOwner(ownerIds: readonly string[], page: Page, scope: ProjectScope | null): Promise<Tagged<Project>[]>;
  /** A page of projects per team, for many teams at once. */
  pagesByTeam(teamIds: readonly string[], page: Page): Promise<Tagged<Project>[]>;
  /** A page of versions per project (newest first), for many projects at once. */
  versionPages(projectIds: readonly string[], page: Page): Promise<Tagged<ProjectVersion>[]>;
  findVersionsByIds(ids: readonly string[]): Promise<ProjectVersion[]>;
  /** The newest version of each project that has one. */
  latestVersions(projects: readonly Pick<Project, 'id' | 'versionCount'>[]): Promise<ProjectVersion[]>;
  /** The same without their documents, for those who do not ask for them. */
  latestVersionSummaries(projects: readonly Pick<Project, 'id' | 'versionCount'>[]): Promise<VersionSummary[]>;
  create(input: NewProject, audit: AuditFor): Promise<Project>;
  /** Null when no project has the id. */
  update(id: string, changes: ProjectChanges, audit: AuditFor): Promise<Project | null>;
  /** Deletes the project and its versions; false when no project had the id. */
  delete(id: string, audit: AuditFor): Promise<boolean>;
  /**
   * Appends a version numbered one past the newest. Concurrent commits to one project get
   * consecutive numbers: no gaps, no duplicates. Null (and nothing written) when the project is missing.
   */
  commitVersion(input: NewVersion, audit: AuditFor): Promise<ProjectVersion | null>;
  /**
   * Applies an event's effect once: the event is recorded as handled atomically with the effect,
   * so a redelivery (or one whose first delivery failed halfway) changes nothing more. False when
   * the event had already been handled.
   */
  once(event: Pick<DomainEvent, 'id' | 'type'>, effect: (rules: ProjectDeleteRules) => Promise<unknown>): Promise<boolean>;
  /** Audit events written with the changes, waiting to be relayed. */
  outbox(): OutboxSource;
}
