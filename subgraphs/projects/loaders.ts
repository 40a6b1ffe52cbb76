import DataLoader from 'dataloader';
import type { Identity } from '../../lib/auth/identity';
import { byIdLoader, pagedLoader } from '../../lib/loaders';
import { isSelf, visibilityScope } from './access';
import type { Project } from './domain';
import type { ProjectStore } from './ProjectStore';
import type { TeamMembership } from './TeamMembership';

/** Made once per request, when its context is built. */
export function createLoaders(store: ProjectStore, identity: Identity, membership: TeamMembership) {
  return {
    project: byIdLoader((ids) => store.findByIds(ids)),
    version: byIdLoader((ids) => store.findVersionsByIds(ids)),
    latestVersion: latestVersionLoader((projects) => store.latestVersions(projects)),
    /** The same without the documents, for operations that do not ask for them. */
    latestVersionSummary: latestVersionLoader((projects) => store.latestVersionSummaries(projects)),
    /**
     * Each owner's projects that the caller may see, still one query for all owners: the visibility
     * filter is the same for every owner (a user's own projects pass it anyway), and the caller's
     * teams are asked for only when some owner in the batch is someone else.
     */
    projectsOfOwner: pagedLoader(async (ownerIds, page) => {
      const scope = ownerIds.every((id) => isSelf(identity, id)) ? null : await visibilityScope(identity, membership);
      return store.pagesByOwner(ownerIds, page, scope);
    }),
    /** Whole pages: Team.projects is refused outright to those who may not see the team's projects. */
    projectsOfTeam: pagedLoader((teamIds, page) => store.pagesByTeam(teamIds, page)),
    versionsOfProject: pagedLoader((projectIds, page) => store.versionPages(projectIds, page)),
  };
}

/** Each project's newest version (null for none): one query for all; a new commit is a new key. */
function latestVersionLoader<V extends { projectId: string }>(fetch: (projects: readonly Project[]) => Promise<V[]>) {
  return new DataLoader<Project, V | null, string>(
    async (projects) => {
      const versions = await fetch(projects);
      const byProject = new Map(versions.map((version) => [version.projectId, version]));
      return projects.map((project) => byProject.get(project.id) ?? null);
    },
    { cacheKeyFn: (project) => `${project.id}:${project.versionCount}` },
  );
}

export type Loaders = ReturnType<typeof createLoaders>;
