import { openMongoUsersData } from '../../subgraphs/users/openMongoUsersData';
import { openPrismaUsersData } from '../../subgraphs/users/openPrismaUsersData';
import type { UsersData } from '../../subgraphs/users/UsersData';
import { onFreshMongo, onFreshPostgres } from './freshStores';
import type { OpenedStore } from './storeContract';

/** Refresh tokens in the users contract suites live this long. */
export const TEST_REFRESH_TTL_SECONDS = 3600;

/** The users' stores on a fresh FerretDB database of their own, as the service opens them. */
export function openMongoUsers(): Promise<OpenedStore<UsersData>> {
  return onFreshMongo('users_store', (mongoUrl, database) => openMongoUsersData(mongoUrl, database, TEST_REFRESH_TTL_SECONDS));
}

/** The users' stores on a fresh, migrated PostgreSQL database; `instances` more on the same database, each with its own Prisma client. */
export function openPrismaUsers(instances = 0): Promise<OpenedStore<UsersData> & { others: UsersData[] }> {
  return onFreshPostgres('users', 'users_store', (url) => openPrismaUsersData(url, TEST_REFRESH_TTL_SECONDS), instances);
}
