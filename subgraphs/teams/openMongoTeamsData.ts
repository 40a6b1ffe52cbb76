import { connectMongo, initStores, type MongoOptions } from '../../lib/mongo';
import type { DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { MongoProcessedEvents } from '../../lib/events/MongoProcessedEvents';
import { MongoTeamStore } from './MongoTeamStore';
import { MongoTeamTokenStore } from './MongoTeamTokenStore';
import type { TeamsData } from './TeamsData';

/** The teams service's stores on MongoDB (FerretDB): one connection, indexes made at start. */
export async function openMongoTeamsData(
  mongoUrl: string,
  database: string,
  /** A service's bounds; an operator tool's long reads go without. */
  timeouts?: DatabaseTimeouts,
  mongoOptions: MongoOptions = {},
): Promise<TeamsData> {
  const connection = await connectMongo(mongoUrl, database, { ...mongoOptions, ...(timeouts ? { timeouts } : {}) });
  const teams = new MongoTeamStore(connection);
  const tokens = new MongoTeamTokenStore(connection);
  const processed = new MongoProcessedEvents(connection);
  await initStores(connection, teams, tokens, processed);
  return {
    teams,
    tokens,
    processed,
    moveAdapters: { teams: teams.moveAdapter(), team_tokens: tokens.moveAdapter(), processed_events: processed.moveAdapter() },
    ping: async () => void (await connection.db!.admin().ping()),
    close: () => connection.close(),
  };
}
