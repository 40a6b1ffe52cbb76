import { connectMongo } from '../mongo';
import { MongoMoveStateStore } from './MongoMoveStateStore';
import type { MoveStateStore } from './MoveStateStore';
import { PrismaMoveStateStore } from './PrismaMoveStateStore';
import type { StoreEngine } from './types';

/** Where a movable service's stores are: its home store (USERS_STORE / TEAMS_STORE) keeps the move's state. */
export interface HomeStore {
  home: StoreEngine;
  mongoUrl: string;
  database: string;
}

/**
 * The move's shared state in the service's home store, on a connection of its own (every instance
 * and the command open the same): `prismaClient` makes the service's Prisma client when the home
 * is PostgreSQL.
 */
export async function openMoveState(stores: HomeStore, prismaClient: () => ConstructorParameters<typeof PrismaMoveStateStore>[0] & { $disconnect(): Promise<void> }): Promise<MoveStateStore> {
  if (stores.home === 'postgresql') {
    const db = prismaClient();
    return new PrismaMoveStateStore(db, () => db.$disconnect());
  }
  const connection = await connectMongo(stores.mongoUrl, stores.database);
  const store = new MongoMoveStateStore(connection, true);
  await store.init();
  return store;
}
