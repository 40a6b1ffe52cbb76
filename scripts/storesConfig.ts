import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceDatabases } from './seed';

/*
 * Where the five stores are, for the operator tools (integrity, migrate:legacy) and npm start,
 * which tells them: no database client here, so importing it costs nothing.
 */

/** The file `npm start` leaves in DATA_DIR saying where its stores are, for the operator tools. */
export const STORES_FILE = 'stores.json';

type Required = Exclude<keyof ServiceDatabases, 'teamsUrl' | 'usersUrl'>;

const VARIABLES: Record<keyof ServiceDatabases, string> = {
  mongoUrl: 'MONGO_URL',
  usersDatabase: 'USERS_DATABASE',
  teamsDatabase: 'TEAMS_DATABASE',
  projectsUrl: 'PROJECTS_DATABASE_URL',
  paymentsUrl: 'PAYMENTS_DATABASE_URL',
  profilesUrl: 'PROFILES_DATABASE_URL',
  // Only when the teams live on PostgreSQL (TEAMS_STORE=postgresql).
  teamsUrl: 'TEAMS_DATABASE_URL',
  usersUrl: 'USERS_DATABASE_URL',
};

/** The environment that names these stores (for the operator tools run as processes, and their tests). */
export function storesEnv(stores: ServiceDatabases): Record<string, string> {
  return Object.fromEntries((Object.keys(VARIABLES) as (keyof ServiceDatabases)[]).flatMap((key) => (stores[key] ? [[VARIABLES[key], stores[key]]] : [])));
}

const DEFAULT_DATABASES: Partial<ServiceDatabases> = { usersDatabase: 'schemaflow_users', teamsDatabase: 'schemaflow_teams' };

/**
 * Where the five stores are: the services' own variables (MONGO_URL, USERS_DATABASE, ...), else
 * what a running `npm start` wrote to DATA_DIR/stores.json. Names every variable that is missing.
 */
export function storesFromEnv(env: NodeJS.ProcessEnv = process.env, dataDir = env.DATA_DIR ?? join(__dirname, '..', '.data')): ServiceDatabases {
  const fromEnv = Object.fromEntries(
    Object.entries(VARIABLES).flatMap(([key, variable]) => (env[variable] ? [[key, env[variable]]] : [])),
  ) as Partial<ServiceDatabases>;
  const file = join(dataDir, STORES_FILE);
  const fromFile: Partial<ServiceDatabases> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const stores = { ...DEFAULT_DATABASES, ...fromFile, ...fromEnv };
  const missing = (Object.keys(VARIABLES) as (keyof ServiceDatabases)[]).filter((key): key is Required => key !== 'teamsUrl' && key !== 'usersUrl' && !stores[key]);
  if (missing.length > 0) {
    throw new Error(`set ${missing.map((key) => VARIABLES[key]).join(', ')} (or run it beside \`npm start\`, which writes ${file})`);
  }
  return stores as ServiceDatabases;
}
