import type { MoveStateStore } from '../lib/storeMove/MoveStateStore';
import { currentStore } from '../lib/storeMove/routeOf';
import type { MoveState, StoreEngine } from '../lib/storeMove/types';
import { openTeamsMoveState } from '../subgraphs/teams/move/teamsMovable';
import { openUsersMoveState } from '../subgraphs/users/move/usersMovable';
import type { ServiceDatabases } from './seed';

/** Where the operator tools find users and teams right now, and which of the two are being moved. */
export interface ServedStores {
  /** `databases` with `usersUrl` / `teamsUrl` kept only for a service served from PostgreSQL now. */
  databases: ServiceDatabases;
  /** Services with a store move under way (not finished nor rolled back): their writes must go through the service. */
  moving: ('users' | 'teams')[];
}

const MOVABLE = [
  { service: 'users', url: 'usersUrl', database: 'usersDatabase', storeVariable: 'USERS_STORE', openState: openUsersMoveState },
  { service: 'teams', url: 'teamsUrl', database: 'teamsDatabase', storeVariable: 'TEAMS_STORE', openState: openTeamsMoveState },
] as const;

/**
 * Which store serves users and teams, as the services themselves decide it: with only MongoDB
 * named, MongoDB; with a PostgreSQL database named too, the move state (lib/storeMove, README
 * "Moving a service to another database") in the service's home store says where a move put it.
 * The home is USERS_STORE / TEAMS_STORE as the service has it; unset, whichever store holds a move
 * state of the service, and PostgreSQL when neither does (a PostgreSQL database named alone meant
 * that before store moves). So `integrity` and `migrate:legacy` read where the service reads,
 * before, during and after a move.
 */
export async function servedStores(databases: ServiceDatabases, env: NodeJS.ProcessEnv = process.env): Promise<ServedStores> {
  const served: ServiceDatabases = { ...databases };
  const moving: ServedStores['moving'] = [];
  for (const { service, url, database, storeVariable, openState } of MOVABLE) {
    const databaseUrl = databases[url];
    if (!databaseUrl) continue;
    const configured = env[storeVariable];
    const homes: StoreEngine[] = configured === 'mongodb' || configured === 'postgresql' ? [configured] : ['postgresql', 'mongodb'];
    let found: { home: StoreEngine; move: MoveState } | null = null;
    for (const home of homes) {
      const move = await readMove(service, storeVariable, openState, { home, mongoUrl: databases.mongoUrl, database: databases[database], databaseUrl });
      if (move) {
        found = { home, move };
        break;
      }
    }
    if (found && found.move.phase !== 'finished' && found.move.phase !== 'rolledBack') moving.push(service);
    if (currentStore(found?.move ?? null, found?.home ?? homes[0]!) === 'mongodb') delete served[url];
  }
  return { databases: served, moving };
}

async function readMove(
  service: 'users' | 'teams',
  storeVariable: string,
  openState: (stores: { home: StoreEngine; mongoUrl: string; database: string; databaseUrl: string }) => Promise<MoveStateStore>,
  stores: { home: StoreEngine; mongoUrl: string; database: string; databaseUrl: string },
): Promise<MoveState | null> {
  let state: MoveStateStore | undefined;
  try {
    state = await openState(stores);
    return await state.read(service);
  } catch (error) {
    throw new Error(`cannot read the ${service} service's store move state (${storeVariable}=${stores.home}): ${(error as Error).message}`);
  } finally {
    await state?.close();
  }
}

/** Refuses a tool that writes users' or teams' records directly while one of them is being moved (its writes would reach one store only). */
export function refuseWhileMoving(tool: string, { moving }: ServedStores): void {
  if (moving.length === 0) return;
  throw new Error(`${tool} writes ${moving.join(' and ')} records, which are being moved between stores now: finish or roll back the move first (npm run move-store -- ${moving[0]} status)`);
}
