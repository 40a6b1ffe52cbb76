import DataLoader from 'dataloader';
import { byIdLoader, pagedLoader } from '../../lib/loaders';
import type { Project, ProjectStore, ProjectVersion } from './store';

/** Made once per request, when its context is built. */
export function createLoaders(store: ProjectStore) {
  return {
    project: byIdLoader((ids) => store.findByIds(ids)),
    version: byIdLoader((ids) => store.findVersionsByIds(ids)),
    latestVersion: new DataLoader<Project, ProjectVersion | null, string>(
      async (projects) => {
        const versions = await store.latestVersions(projects);
        const byProject = new Map(versions.map((version) => [version.projectId, version]));
        return projects.map((project) => byProject.get(project.id) ?? null);
      },
      { cacheKeyFn: (project) => `${project.id}:${project.versionCount}` },
    ),
    projectsOfOwner: pagedLoader((ownerIds, page) => store.pagesBy('owner_id', ownerIds, page)),
    projectsOfTeam: pagedLoader((teamIds, page) => store.pagesBy('team_id', teamIds, page)),
    versionsOfProject: pagedLoader((projectIds, page) => store.versionPages(projectIds, page)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
