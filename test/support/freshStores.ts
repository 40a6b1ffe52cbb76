import { randomBytes } from 'node:crypto';
import { connectMongo } from '../../lib/mongo';
import { prepareDatabase, type PostgresDatabase } from '../../prisma/migrate';
import { dropDatabase, testEngines } from './stack';
import type { OpenedStore } from './storeContract';

const suffix = () => randomBytes(4).toString('hex');

/** Stores `open`ed on a fresh FerretDB database named after `prefix`, dropped on close. */
export async function onFreshMongo<S extends { close(): Promise<void> }>(prefix: string, open: (mongoUrl: string, database: string) => Promise<S>): Promise<OpenedStore<S>> {
  const { mongoUrl } = testEngines();
  const database = `${prefix}_${suffix()}`;
  const store = await open(mongoUrl, database);
  return {
    store,
    close: async () => {
      await store.close();
      const connection = await connectMongo(mongoUrl, database);
      await connection.dropDatabase().finally(() => connection.close());
    },
  };
}

/**
 * Stores `open`ed on a fresh, migrated PostgreSQL database of `database`'s schema; `instances`
 * more on the same database, each with its own client (pool), as other instances of the service
 * would be. Dropped on close.
 */
export async function onFreshPostgres<S extends { close(): Promise<void> }>(
  database: PostgresDatabase,
  prefix: string,
  open: (url: string) => S,
  instances = 0,
): Promise<OpenedStore<S> & { others: S[] }> {
  const url = await prepareDatabase(testEngines().postgresUrl, database, `${prefix}_${suffix()}`);
  const store = open(url);
  const others = Array.from({ length: instances }, () => open(url));
  return {
    store,
    others,
    close: async () => {
      for (const opened of [store, ...others]) await opened.close();
      await dropDatabase(url);
    },
  };
}
