import { openMongoTeamsData } from '../../subgraphs/teams/openMongoTeamsData';
import { openPrismaTeamsData } from '../../subgraphs/teams/openPrismaTeamsData';
import type { TeamsData } from '../../subgraphs/teams/TeamsData';
import { onFreshMongo, onFreshPostgres } from './freshStores';
import type { OpenedStore } from './storeContract';

/** The teams' stores on a fresh FerretDB database of their own, as the service opens them. */
export function openMongoTeams(): Promise<OpenedStore<TeamsData>> {
  return onFreshMongo('teams_store', openMongoTeamsData);
}

/** The teams' stores on a fresh, migrated PostgreSQL database; `instances` more store sets on the same database. */
export function openPrismaTeams(instances = 0): Promise<OpenedStore<TeamsData> & { others: TeamsData[] }> {
  return onFreshPostgres('teams', 'teams_store', openPrismaTeamsData, instances);
}
