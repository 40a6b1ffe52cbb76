import type { DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { PrismaProcessedEvents } from '../../lib/events/PrismaProcessedEvents';
import { createPrismaClient, type PrismaOptions } from '../../lib/prisma';
import { PrismaClient } from '../../prisma/teams/generated/client';
import { PrismaTeamStore } from './PrismaTeamStore';
import { PrismaTeamTokenStore } from './PrismaTeamTokenStore';
import type { TeamsData } from './TeamsData';

/** The teams service's stores on PostgreSQL (TEAMS_STORE=postgresql): one Prisma client, on a database migrated beforehand. */
/** `timeouts`: a service's bounds; an operator tool's long reads go without. */
export function openPrismaTeamsData(databaseUrl: string, timeouts?: DatabaseTimeouts, prismaOptions: PrismaOptions = {}): TeamsData {
  const db = createPrismaClient(PrismaClient, databaseUrl, { ...prismaOptions, timeouts });
  const teams = new PrismaTeamStore(db);
  const tokens = new PrismaTeamTokenStore(db);
  const processed = new PrismaProcessedEvents(db);
  return {
    teams,
    tokens,
    processed,
    moveAdapters: { teams: teams.moveAdapter(), team_tokens: tokens.moveAdapter(), processed_events: processed.moveAdapter() },
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: () => db.$disconnect(),
  };
}
