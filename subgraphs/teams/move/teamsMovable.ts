import { createPrismaClient } from '../../../lib/prisma';
import type { MoveStateStore } from '../../../lib/storeMove/MoveStateStore';
import { openMoveState } from '../../../lib/storeMove/openMoveState';
import type { Movable, StoreEngine } from '../../../lib/storeMove/types';
import { PrismaClient } from '../../../prisma/teams/generated/client';
import { openMongoTeamsData } from '../openMongoTeamsData';
import { openPrismaTeamsData } from '../openPrismaTeamsData';
import type { TeamsData } from '../TeamsData';
import { TEAM_KINDS } from './records';

/** Where the teams' two stores are (the service's TEAMS_STORE, MONGO_URL + TEAMS_DATABASE, TEAMS_DATABASE_URL). */
export interface TeamsStores {
  home: StoreEngine;
  mongoUrl: string;
  database: string;
  databaseUrl: string;
}

/** The move's shared state in the teams' home store (every instance and the command open the same). */
export function openTeamsMoveState(stores: TeamsStores): Promise<MoveStateStore> {
  return openMoveState(stores, () => createPrismaClient(PrismaClient, stores.databaseUrl));
}

/** The teams service as `npm run move-store -- teams ...` moves it. */
export function teamsMovable(stores: TeamsStores): Movable<TeamsData> {
  return {
    service: 'teams',
    home: stores.home,
    kinds: TEAM_KINDS,
    open: async (engine) => {
      const data = engine === 'mongodb' ? await openMongoTeamsData(stores.mongoUrl, stores.database) : openPrismaTeamsData(stores.databaseUrl);
      return { engine, data, adapters: data.moveAdapters, close: () => data.close() };
    },
    openState: () => openTeamsMoveState(stores),
    related: async (data, id) => [
      { kind: 'teams', ids: [id] },
      { kind: 'team_tokens', ids: (await data.tokens.listByTeam(id)).map((token) => token.id) },
    ],
    variableOf: (engine) => (engine === 'mongodb' ? 'TEAMS_STORE=mongodb (MONGO_URL, TEAMS_DATABASE)' : 'TEAMS_STORE=postgresql (TEAMS_DATABASE_URL)'),
  };
}
