import type { JsonValue } from '../../lib/json';

/**
 * The projects service's own types: what its resolvers, loaders, consumers and store contract
 * speak, whatever database holds the projects (ProjectStore.ts; the PostgreSQL one is PrismaProjectStore.ts).
 */

// The same values as the PostgreSQL enum: PrismaProjectStore passes them both ways, so the type check refuses a difference.
export const PROJECT_TYPES = ['GRAPHQL', 'REST', 'DATABASE', 'OTHER'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

/**
 * A project owned by a user (users service) and optionally shared with a team (teams service).
 * A team project whose owner deleted their account stays with the team without an owner.
 */
export interface Project {
  id: string;
  name: string;
  type: ProjectType;
  ownerId: string | null;
  teamId: string | null;
  /** The number of the newest version (0 before the first commit). */
  versionCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** An append-only, numbered snapshot of a project's schema document; numbers run 1, 2, 3… without gaps. */
export interface ProjectVersion {
  id: string;
  projectId: string;
  number: number;
  document: JsonValue;
  message: string | null;
  /** Null when a team API token committed it, or its author's account was deleted. */
  authorId: string | null;
  createdAt: Date;
}

/** A version without its document (which may be a megabyte): what a listing that does not show it reads. */
export type VersionSummary = Omit<ProjectVersion, 'document'>;

export interface ProjectFilter {
  ownerId?: string;
  teamId?: string;
}

/**
 * The projects a caller may see, when not all: those owned by `ownerId` and those of `teamIds`
 * (see access.ts). `null` in place of a scope means every project (an admin).
 */
export interface ProjectScope {
  ownerId: string | null;
  teamIds: readonly string[];
}
