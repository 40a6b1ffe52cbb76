import { randomBytes } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { prepareDatabase } from '../../prisma/migrate';
import { openMongoTeamsData } from '../../subgraphs/teams/openMongoTeamsData';
import { openPrismaTeamsData } from '../../subgraphs/teams/openPrismaTeamsData';
import type { TeamsData } from '../../subgraphs/teams/TeamsData';
import { dropDatabase, testEngines } from './stack';
import type { OpenedStore } from './storeContract';

const suffix = () => randomBytes(4).toString('hex');

/** The teams' stores on a fresh FerretDB database of their own, as the service opens them. */
export async function openMongoTeams(): Promise<OpenedStore<TeamsData>> {
  const { mongoUrl } = testEngines();
  const database = `teams_store_${suffix()}`;
  const data = await openMongoTeamsData(mongoUrl, database);
  return {
    store: data,
    close: async () => {
      await data.close();
      const connection = await connectMongo(mongoUrl, database);
      await connection.dropDatabase().finally(() => connection.close());
    },
  };
}

/**
 * The teams' stores on a fresh, migrated PostgreSQL database; `instances` more store sets on the
 * same database, each with its own Prisma client (pool), as other instances of the service would be.
 */
export async function openPrismaTeams(instances = 0): Promise<OpenedStore<TeamsData> & { others: TeamsData[] }> {
  const url = await prepareDatabase(testEngines().postgresUrl, 'teams', `teams_store_${suffix()}`);
  const data = openPrismaTeamsData(url);
  const others = Array.from({ length: instances }, () => openPrismaTeamsData(url));
  return {
    store: data,
    others,
    close: async () => {
      for (const opened of [data, ...others]) await opened.close();
      await dropDatabase(url);
    },
  };
}
