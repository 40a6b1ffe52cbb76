import { createPrismaClient } from '../../../lib/prisma';
import type { MoveStateStore } from '../../../lib/storeMove/MoveStateStore';
import { openMoveState } from '../../../lib/storeMove/openMoveState';
import type { Movable, StoreEngine } from '../../../lib/storeMove/types';
import { PrismaClient } from '../../../prisma/users/generated/client';
import { openMongoUsersData } from '../openMongoUsersData';
import { openPrismaUsersData } from '../openPrismaUsersData';
import type { UsersData } from '../UsersData';
import { USER_KINDS } from './records';

/** Where the users' two stores are (the service's USERS_STORE, MONGO_URL + USERS_DATABASE, USERS_DATABASE_URL). */
export interface UsersStores {
  home: StoreEngine;
  mongoUrl: string;
  database: string;
  databaseUrl: string;
  /** Refresh tokens' lifetime: the command issues none, the service its configured one. */
  refreshTokenTtlSeconds: number;
}

/** The move's shared state in the users' home store (every instance and the command open the same). */
export function openUsersMoveState(stores: Omit<UsersStores, 'refreshTokenTtlSeconds'>): Promise<MoveStateStore> {
  return openMoveState(stores, () => createPrismaClient(PrismaClient, stores.databaseUrl));
}

/** The users service as `npm run move-store -- users ...` moves it. */
export function usersMovable(stores: UsersStores): Movable<UsersData> {
  return {
    service: 'users',
    home: stores.home,
    kinds: USER_KINDS,
    open: async (engine) => {
      const data =
        engine === 'mongodb'
          ? await openMongoUsersData(stores.mongoUrl, stores.database, stores.refreshTokenTtlSeconds)
          : openPrismaUsersData(stores.databaseUrl, stores.refreshTokenTtlSeconds);
      return { engine, data, adapters: data.moveAdapters, close: () => data.close() };
    },
    openState: () => openUsersMoveState(stores),
    // A user and their sessions (their audit entries are the product's history, moved with the log).
    related: async (data, id) => [
      { kind: 'users', ids: [id] },
      { kind: 'refresh_tokens', ids: await data.refreshTokens.tokenIdsOf(id) },
    ],
    variableOf: (engine) => (engine === 'mongodb' ? 'USERS_STORE=mongodb (MONGO_URL, USERS_DATABASE)' : 'USERS_STORE=postgresql (USERS_DATABASE_URL)'),
  };
}
