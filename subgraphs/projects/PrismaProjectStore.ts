import { sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { DomainEvent } from '../../lib/events/DomainEvent';
import type { Tagged } from '../../lib/loaders';
import type { Page } from '../../lib/pagination';
import { isRecordNotFound } from '../../lib/prisma';
import type { Reference } from '../../lib/references';
import { afterCursorWhere, NEWEST_FIRST_ORDER, pagesByParent } from '../../lib/sqlPaging';
import { sqlReferences } from '../../lib/sqlReferences';
import { newId } from '../../lib/validate';
import type { AuditFor } from '../../lib/events/audit';
import { PrismaOutbox, runOnce, writeOutbox } from '../../lib/events/PrismaOutbox';
import type { Prisma, PrismaClient } from '../../prisma/projects/generated/client';
import type { Project, ProjectFilter, ProjectScope, ProjectVersion, VersionSummary } from './domain';
import { fromProjectRow, fromVersionRow, toProject, toVersion, type ProjectRow, type VersionRow } from './prismaProjectRows';
import { PrismaProjectDeleteRules } from './PrismaProjectDeleteRules';
import type { Forgotten, NewProject, NewVersion, ProjectChanges, ProjectDeleteRules, ProjectReference, ProjectStore } from './ProjectStore';

function scopeWhere(scope: ProjectScope): Prisma.ProjectWhereInput {
  return { OR: [...(scope.ownerId ? [{ ownerId: scope.ownerId }] : []), { teamId: { in: [...scope.teamIds] } }] };
}

/** The newest version of each project that has one; null when none has. */
function latestVersionsWhere(projects: readonly Pick<Project, 'id' | 'versionCount'>[]): Prisma.ProjectVersionWhereInput | null {
  const withVersions = projects.filter((project) => project.versionCount > 0);
  return withVersions.length > 0 ? { OR: withVersions.map((project) => ({ projectId: project.id, number: project.versionCount })) } : null;
}

/** Every column of a version but its document. */
const VERSION_SUMMARY = { id: true, projectId: true, number: true, message: true, authorId: true, createdAt: true } as const;

function scopeSql(scope: ProjectScope): Sql {
  const owner = scope.ownerId ? sql`t.owner_id = ${scope.ownerId}::uuid` : sql`FALSE`;
  return sql`${owner} OR t.team_id = ANY(${[...scope.teamIds]}::uuid[])`;
}

const REFERENCE_COLUMNS: Record<ProjectReference, [table: string, column: string]> = {
  owner: ['projects', 'owner_id'],
  team: ['projects', 'team_id'],
  versionAuthor: ['project_versions', 'author_id'],
};

/** The projects and their versions in the service's own PostgreSQL database, through Prisma. */
export class PrismaProjectStore implements ProjectStore {
  constructor(private readonly db: PrismaClient) {}

  async findByIds(ids: readonly string[]): Promise<Project[]> {
    return (await this.db.project.findMany({ where: { id: { in: [...ids] } } })).map(toProject);
  }

  async list(filter: ProjectFilter, page: Page, scope: ProjectScope | null): Promise<Project[]> {
    const found = await this.db.project.findMany({
      where: { AND: [filter, afterCursorWhere(page.after), ...(scope ? [scopeWhere(scope)] : [])] },
      orderBy: NEWEST_FIRST_ORDER,
      take: page.limit + 1,
    });
    return found.map(toProject);
  }

  pagesByOwner(ownerIds: readonly string[], page: Page, scope: ProjectScope | null): Promise<Tagged<Project>[]> {
    return this.projectPages('owner_id', ownerIds, page, scope);
  }

  pagesByTeam(teamIds: readonly string[], page: Page): Promise<Tagged<Project>[]> {
    return this.projectPages('team_id', teamIds, page, null);
  }

  private async projectPages(column: 'owner_id' | 'team_id', parentIds: readonly string[], page: Page, scope: ProjectScope | null): Promise<Tagged<Project>[]> {
    const rows = await this.db.$queryRaw<ProjectRow[]>(
      pagesByParent('projects', [column], parentIds, page, scope ? scopeSql(scope) : undefined),
    );
    return rows.map(fromProjectRow);
  }

  async versionPages(projectIds: readonly string[], page: Page): Promise<Tagged<ProjectVersion>[]> {
    const rows = await this.db.$queryRaw<VersionRow[]>(pagesByParent('project_versions', ['project_id'], projectIds, page));
    return rows.map(fromVersionRow);
  }

  async findVersionsByIds(ids: readonly string[]): Promise<ProjectVersion[]> {
    return (await this.db.projectVersion.findMany({ where: { id: { in: [...ids] } } })).map(toVersion);
  }

  /** Found by number: one indexed query for all. */
  async latestVersions(projects: readonly Pick<Project, 'id' | 'versionCount'>[]): Promise<ProjectVersion[]> {
    const where = latestVersionsWhere(projects);
    return where ? (await this.db.projectVersion.findMany({ where })).map(toVersion) : [];
  }

  async latestVersionSummaries(projects: readonly Pick<Project, 'id' | 'versionCount'>[]): Promise<VersionSummary[]> {
    const where = latestVersionsWhere(projects);
    return where ? this.db.projectVersion.findMany({ where, select: VERSION_SUMMARY }) : [];
  }

  create(input: NewProject, audit: AuditFor): Promise<Project> {
    return this.db.$transaction(async (tx) => {
      const project = await tx.project.create({ data: { id: newId(), ...input } });
      await writeOutbox(tx, [audit(project.id)]);
      return toProject(project);
    });
  }

  async update(id: string, changes: ProjectChanges, audit: AuditFor): Promise<Project | null> {
    try {
      return await this.db.$transaction(async (tx) => {
        const project = await tx.project.update({ where: { id }, data: changes });
        await writeOutbox(tx, [audit(id)]);
        return toProject(project);
      });
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  /** The versions go by cascade. */
  delete(id: string, audit: AuditFor): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.project.deleteMany({ where: { id } });
      if (count === 1) await writeOutbox(tx, [audit(id)]);
      return count === 1;
    });
  }

  /**
   * Incrementing the project's counter takes the project's row lock until the transaction ends,
   * so concurrent commits to one project queue up and get consecutive numbers.
   */
  async commitVersion(input: NewVersion, audit: AuditFor): Promise<ProjectVersion | null> {
    const { document, ...rest } = input;
    try {
      return await this.db.$transaction(async (tx) => {
        const project = await tx.project.update({
          where: { id: input.projectId },
          data: { versionCount: { increment: 1 } },
          select: { versionCount: true },
        });
        const version = await tx.projectVersion.create({
          data: { id: newId(), ...rest, document: document as Prisma.InputJsonValue, number: project.versionCount },
        });
        await writeOutbox(tx, [audit(version.id)]);
        return toVersion(version);
      });
    } catch (error) {
      if (isRecordNotFound(error)) return null;
      throw error;
    }
  }

  /** Each rule in a transaction of its own. */
  forgetUser(userId: string): Promise<Forgotten> {
    return this.db.$transaction((tx) => new PrismaProjectDeleteRules(tx).forgetUser(userId));
  }

  forgetTeam(teamId: string): Promise<Forgotten> {
    return this.db.$transaction((tx) => new PrismaProjectDeleteRules(tx).forgetTeam(teamId));
  }

  /** The event id goes into `processed_events` in the transaction of the effect. */
  once(event: Pick<DomainEvent, 'id' | 'type'>, effect: (rules: ProjectDeleteRules) => Promise<unknown>): Promise<boolean> {
    return runOnce<Prisma.TransactionClient>(this.db, event, (tx) => effect(new PrismaProjectDeleteRules(tx)));
  }

  outbox(): PrismaOutbox {
    return new PrismaOutbox(this.db);
  }

  countReferences(reference: ProjectReference): Promise<number> {
    return sqlReferences(this.db, ...REFERENCE_COLUMNS[reference]).count();
  }

  scanReferences(reference: ProjectReference, after: string | null, limit: number): Promise<Reference[]> {
    return sqlReferences(this.db, ...REFERENCE_COLUMNS[reference]).scan(after, limit);
  }
}
