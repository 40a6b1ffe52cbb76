import { sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { Tagged } from '../../lib/loaders';
import type { Page } from '../../lib/pagination';
import { isRecordNotFound } from '../../lib/prisma';
import { afterCursorWhere, NEWEST_FIRST_ORDER, pagesByParent } from '../../lib/sqlPaging';
import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import { PrismaOutbox, runOnce, writeOutbox } from '../../lib/events/PrismaOutbox';
import { Prisma, type PrismaClient, type Project, type ProjectVersion, type ProjectType } from '../../prisma/projects/generated/client';

export type { Project, ProjectVersion, ProjectType };
export const PROJECT_TYPES = ['GRAPHQL', 'REST', 'DATABASE', 'OTHER'] as const satisfies readonly ProjectType[];

/** A row as `$queryRaw` returns it: the table's own column names. */
interface ProjectRow {
  id: string;
  name: string;
  type: ProjectType;
  owner_id: string | null;
  team_id: string | null;
  version_count: number;
  created_at: Date;
  updated_at: Date;
  parent_id: string;
}

function fromRow(row: ProjectRow): Tagged<Project> {
  return {
    parentId: row.parent_id,
    row: {
      id: row.id,
      name: row.name,
      type: row.type,
      ownerId: row.owner_id,
      teamId: row.team_id,
      versionCount: row.version_count,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    },
  };
}

interface VersionRow {
  id: string;
  project_id: string;
  number: number;
  document: Prisma.JsonValue;
  message: string | null;
  author_id: string | null;
  created_at: Date;
  parent_id: string;
}

function fromVersionRow(row: VersionRow): Tagged<ProjectVersion> {
  return {
    parentId: row.parent_id,
    row: {
      id: row.id,
      projectId: row.project_id,
      number: row.number,
      document: row.document,
      message: row.message,
      authorId: row.author_id,
      createdAt: row.created_at,
    },
  };
}

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

function scopeWhere(scope: ProjectScope): Prisma.ProjectWhereInput {
  return { OR: [...(scope.ownerId ? [{ ownerId: scope.ownerId }] : []), { teamId: { in: [...scope.teamIds] } }] };
}

function scopeSql(scope: ProjectScope): Sql {
  const owner = scope.ownerId ? sql`t.owner_id = ${scope.ownerId}::uuid` : sql`FALSE`;
  return sql`${owner} OR t.team_id = ANY(${[...scope.teamIds]}::uuid[])`;
}

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
  document: Prisma.InputJsonValue;
  message: string | null;
  /** Null when a team API token commits. */
  authorId: string | null;
}

/** The projects service's data access: every query it sends to its PostgreSQL database. */
export class ProjectStore {
  constructor(private readonly db: PrismaClient) {}

  findByIds(ids: readonly string[]): Promise<Project[]> {
    return this.db.project.findMany({ where: { id: { in: [...ids] } } });
  }

  /** A page of the projects matching `filter` that `scope` lets the caller see (all when null). */
  list(filter: ProjectFilter, page: Page, scope: ProjectScope | null): Promise<Project[]> {
    return this.db.project.findMany({
      where: { AND: [filter, afterCursorWhere(page.after), ...(scope ? [scopeWhere(scope)] : [])] },
      orderBy: NEWEST_FIRST_ORDER,
      take: page.limit + 1,
    });
  }

  /**
   * A page of projects per owner or per team, for many owners/teams in one query; only those
   * `scope` lets the caller see, when one is given.
   */
  async pagesBy(
    column: 'owner_id' | 'team_id',
    parentIds: readonly string[],
    page: Page,
    scope: ProjectScope | null = null,
  ): Promise<Tagged<Project>[]> {
    const rows = await this.db.$queryRaw<ProjectRow[]>(
      pagesByParent('projects', [column], parentIds, page, scope ? scopeSql(scope) : undefined),
    );
    return rows.map(fromRow);
  }

  async versionPages(projectIds: readonly string[], page: Page): Promise<Tagged<ProjectVersion>[]> {
    const rows = await this.db.$queryRaw<VersionRow[]>(pagesByParent('project_versions', ['project_id'], projectIds, page));
    return rows.map(fromVersionRow);
  }

  findVersionsByIds(ids: readonly string[]): Promise<ProjectVersion[]> {
    return this.db.projectVersion.findMany({ where: { id: { in: [...ids] } } });
  }

  /** The newest version of each project, found by its number (one indexed query for all). */
  latestVersions(projects: readonly { id: string; versionCount: number }[]): Promise<ProjectVersion[]> {
    const withVersions = projects.filter((project) => project.versionCount > 0);
    if (withVersions.length === 0) return Promise.resolve([]);
    return this.db.projectVersion.findMany({
      where: { OR: withVersions.map((project) => ({ projectId: project.id, number: project.versionCount })) },
    });
  }

  /** Each write below also writes its audit event (`audit`) to the outbox, in the same transaction. */
  create(input: NewProject, audit: AuditFor): Promise<Project> {
    return this.db.$transaction(async (tx) => {
      const project = await tx.project.create({ data: { id: newId(), ...input } });
      await writeOutbox(tx, [audit(project.id)]);
      return project;
    });
  }

  /** Returns null when no project has the id. */
  async update(id: string, changes: ProjectChanges, audit: AuditFor): Promise<Project | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const project = await tx.project.update({ where: { id }, data: changes });
        await writeOutbox(tx, [audit(id)]);
        return project;
      });
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  /** Deletes the project and (by cascade) its versions; false when no project had the id. */
  delete(id: string, audit: AuditFor): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.project.deleteMany({ where: { id } });
      if (count === 1) await writeOutbox(tx, [audit(id)]);
      return count === 1;
    });
  }

  /**
   * Appends a version numbered one past the newest. Incrementing the project's counter takes the
   * project's row lock until the transaction ends, so concurrent commits to one project queue up
   * and get consecutive numbers: no gaps, no duplicates. Returns null when the project is missing.
   */
  async commitVersion(input: NewVersion, audit: AuditFor): Promise<ProjectVersion | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const project = await tx.project.update({
          where: { id: input.projectId },
          data: { versionCount: { increment: 1 } },
          select: { versionCount: true },
        });
        const version = await tx.projectVersion.create({ data: { id: newId(), ...input, number: project.versionCount } });
        await writeOutbox(tx, [audit(version.id)]);
        return version;
      });
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  outbox(): PrismaOutbox {
    return new PrismaOutbox(this.db);
  }

  /**
   * Runs an event's effect once: the event id is recorded in the same transaction, so a
   * redelivered event changes nothing. False when the event had already been handled.
   */
  once(event: { id: string; type: string }, effect: (tx: Prisma.TransactionClient) => Promise<unknown>): Promise<boolean> {
    return runOnce<Prisma.TransactionClient>(this.db, event, effect);
  }
}

/** What the delete rules did (README, "Deleting users and teams"). */
export interface Forgotten {
  deleted: number;
  detached: number;
  versionsReassigned: number;
}

/**
 * A deleted user's projects: personal ones (no team) are deleted with their versions; team projects
 * stay with the team without an owner; versions they wrote in projects that stay lose their author
 * (the content is the team's). The same rule for user.deleted and for the integrity repair.
 */
export async function forgetUser(tx: Prisma.TransactionClient, userId: string): Promise<Forgotten> {
  const deleted = await tx.project.deleteMany({ where: { ownerId: userId, teamId: null } });
  const detached = await tx.project.updateMany({ where: { ownerId: userId }, data: { ownerId: null } });
  const versions = await tx.projectVersion.updateMany({ where: { authorId: userId }, data: { authorId: null } });
  return { deleted: deleted.count + (await deleteOrphaned(tx)), detached: detached.count, versionsReassigned: versions.count };
}

/**
 * A deleted team's projects go back to their owners as personal projects; one without an owner
 * (its owner was deleted before) has nobody left and is deleted.
 */
export async function forgetTeam(tx: Prisma.TransactionClient, teamId: string): Promise<Forgotten> {
  const deleted = await tx.project.deleteMany({ where: { teamId, ownerId: null } });
  const detached = await tx.project.updateMany({ where: { teamId }, data: { teamId: null } });
  return { deleted: deleted.count + (await deleteOrphaned(tx)), detached: detached.count, versionsReassigned: 0 };
}

/**
 * A project with neither owner nor team has nobody left. user.deleted and team.deleted for the
 * same project can be handled at once (each in its own transaction, neither seeing the other's
 * change): whichever commits last removes what they left together.
 */
async function deleteOrphaned(tx: Prisma.TransactionClient): Promise<number> {
  return (await tx.project.deleteMany({ where: { ownerId: null, teamId: null } })).count;
}
