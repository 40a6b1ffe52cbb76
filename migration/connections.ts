import { Client } from 'pg';
import { databaseUrl, ensureDatabase } from '../prisma/migrate';
import type { ServiceDatabases } from '../scripts/seed';
import { openMongoUsersData } from '../subgraphs/users/openMongoUsersData';
import { openPrismaUsersData } from '../subgraphs/users/openPrismaUsersData';
import type { UsersData } from '../subgraphs/users/UsersData';
import type { MigrationContext, Targets } from './entity';
import { MigrationState } from './state';

/** Everything a command works with: the source (read only), the five stores' targets, the state. */
export interface Connections extends MigrationContext {
  state: MigrationState;
  close(): Promise<void>;
}

/** The state lives in its own database, by default `schemaflow_migration` beside the payments database. */
export function defaultStateUrl(stores: ServiceDatabases): string {
  return databaseUrl(stores.paymentsUrl, 'schemaflow_migration');
}

async function connectPg(url: string, what: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A connection cut while idle (the server went away) must not crash the process: the next query
  // on it fails instead, and that error is reported with what was being done.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot connect to the ${what}: ${(error as Error).message}`);
  }
  return client;
}

/**
 * Accounts whose email equals an earlier account's but for case: the new layout compares emails
 * case-insensitively, so each is merged into the earliest (by creation, then id). One query over
 * the source; the result holds only the duplicates.
 */
async function mergedAccounts(source: Client): Promise<Map<string, string>> {
  const rows = (
    await source.query<{ id: string; survivor: string }>(
      `SELECT id::text AS id, survivor::text AS survivor FROM (
         SELECT id, first_value(id) OVER (PARTITION BY lower(email) ORDER BY created_at, id) AS survivor FROM auth.users
       ) x WHERE id <> survivor`,
    )
  ).rows;
  return new Map(rows.map((row) => [row.id, row.survivor]));
}

/**
 * The users service's stores wherever it keeps them: its PostgreSQL database when one is named
 * (USERS_STORE=postgresql), else its MongoDB database. The migration issues no tokens of its own,
 * so the refresh-token lifetime plays no part.
 */
async function openUsers(stores: ServiceDatabases): Promise<{ users: UsersData; usersEngine: 'MongoDB' | 'PostgreSQL' }> {
  const usersEngine = stores.usersUrl ? 'PostgreSQL' : 'MongoDB';
  try {
    if (!stores.usersUrl) return { users: await openMongoUsersData(stores.mongoUrl, stores.usersDatabase, 0), usersEngine };
    const users = openPrismaUsersData(stores.usersUrl, 0);
    await users.ping().catch(async (error: unknown) => {
      await users.close();
      throw error;
    });
    return { users, usersEngine };
  } catch (error) {
    throw new Error(`cannot connect to the users store (${usersEngine}): ${(error as Error).message}`);
  }
}

export async function openConnections(sourceUrl: string, stores: ServiceDatabases, stateUrl: string | undefined, dryRun = false): Promise<Connections> {
  const opened: { close(): Promise<unknown> }[] = [];
  const closeAll = async () => {
    for (const item of opened.reverse()) await item.close().catch(() => undefined);
  };
  try {
    const source = await connectPg(sourceUrl, 'source database');
    opened.push({ close: () => source.end() });
    // The source is only ever read: the session refuses writes, whatever a bug might try.
    await source.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
    const { users, usersEngine } = await openUsers(stores);
    opened.push(users);
    const payments = await connectPg(stores.paymentsUrl, 'payments store');
    opened.push({ close: () => payments.end() });
    const profiles = await connectPg(stores.profilesUrl, 'profiles store');
    opened.push({ close: () => profiles.end() });
    const targets: Targets = { users, usersEngine, payments, profiles };
    const stateTarget = stateUrl ?? defaultStateUrl(stores);
    if (!stateUrl) await ensureDatabase(databaseUrl(stores.paymentsUrl, 'postgres'), 'schemaflow_migration');
    const state = await MigrationState.open(stateTarget);
    opened.push(state);
    // Only the commands that transform rows need it (not stats or rollback): read once, on first use.
    let merged: Promise<Map<string, string>> | null = null;
    return {
      source,
      targets,
      state,
      dryRun,
      mergedInto: async (ids) => {
        merged ??= mergedAccounts(source);
        const map = await merged;
        return new Map(ids.flatMap((id) => (map.has(id) ? [[id, map.get(id)!] as const] : [])));
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
