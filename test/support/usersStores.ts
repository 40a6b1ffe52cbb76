import { randomBytes } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { prepareDatabase } from '../../prisma/migrate';
import { openMongoUsersData } from '../../subgraphs/users/openMongoUsersData';
import { openPrismaUsersData } from '../../subgraphs/users/openPrismaUsersData';
import type { UsersData } from '../../subgraphs/users/UsersData';
import { dropDatabase, testEngines } from './stack';
import type { OpenedStore } from './storeContract';

const suffix = () => randomBytes(4).toString('hex');

/** Refresh tokens in the users contract suites live this long. */
export const TEST_REFRESH_TTL_SECONDS = 3600;

/** The users' stores on a fresh FerretDB database of their own, as the service opens them. */
export async function openMongoUsers(): Promise<OpenedStore<UsersData>> {
  const { mongoUrl } = testEngines();
  const database = `users_store_${suffix()}`;
  const data = await openMongoUsersData(mongoUrl, database, TEST_REFRESH_TTL_SECONDS);
  return {
    store: data,
    close: async () => {
      await data.close();
      const connection = await connectMongo(mongoUrl, database);
      await connection.dropDatabase().finally(() => connection.close());
    },
  };
}

/** The users' stores on a fresh, migrated PostgreSQL database; `instances` more on the same database, each with its own Prisma client. */
export async function openPrismaUsers(instances = 0): Promise<OpenedStore<UsersData> & { others: UsersData[] }> {
  const url = await prepareDatabase(testEngines().postgresUrl, 'users', `users_store_${suffix()}`);
  const data = openPrismaUsersData(url, TEST_REFRESH_TTL_SECONDS);
  const others = Array.from({ length: instances }, () => openPrismaUsersData(url, TEST_REFRESH_TTL_SECONDS));
  return {
    store: data,
    others,
    close: async () => {
      for (const opened of [data, ...others]) await opened.close();
      await dropDatabase(url);
    },
  };
}
