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
  return {
    teams: new PrismaTeamStore(db),
    tokens: new PrismaTeamTokenStore(db),
    processed: new PrismaProcessedEvents(db),
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: () => db.$disconnect(),
  };
}
