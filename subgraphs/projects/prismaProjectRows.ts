import type { Tagged } from '../../lib/loaders';
import type { JsonValue } from '../../lib/json';
import type { Prisma, Project as ProjectModel, ProjectVersion as VersionModel } from '../../prisma/projects/generated/client';
import type { Project, ProjectType, ProjectVersion } from './domain';

/** Prisma's rows of the projects database as the service's domain objects (PrismaProjectStore). */

export function toProject(model: ProjectModel): Project {
  return {
    id: model.id,
    name: model.name,
    type: model.type,
    ownerId: model.ownerId,
    teamId: model.teamId,
    versionCount: model.versionCount,
    createdAt: model.createdAt,
    updatedAt: model.updatedAt,
  };
}

export function toVersion(model: VersionModel): ProjectVersion {
  return {
    id: model.id,
    projectId: model.projectId,
    number: model.number,
    document: model.document as JsonValue,
    message: model.message,
    authorId: model.authorId,
    createdAt: model.createdAt,
  };
}

/** A row as `$queryRaw` returns it: the table's own column names, tagged with the parent it was paged for. */
export interface ProjectRow {
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

export function fromProjectRow(row: ProjectRow): Tagged<Project> {
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

export interface VersionRow {
  id: string;
  project_id: string;
  number: number;
  document: Prisma.JsonValue;
  message: string | null;
  author_id: string | null;
  created_at: Date;
  parent_id: string;
}

export function fromVersionRow(row: VersionRow): Tagged<ProjectVersion> {
  return {
    parentId: row.parent_id,
    row: {
      id: row.id,
      projectId: row.project_id,
      number: row.number,
      document: row.document as JsonValue,
      message: row.message,
      authorId: row.author_id,
      createdAt: row.created_at,
    },
  };
}
