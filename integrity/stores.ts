import type { Connection } from 'mongoose';
import { connectMongo } from '../lib/mongo';
import { createPrismaClient } from '../lib/prisma';
import { PrismaClient as PaymentsClient } from '../prisma/payments/generated/client';
import { PrismaClient as ProfilesClient } from '../prisma/profiles/generated/client';
import { PrismaClient as ProjectsClient } from '../prisma/projects/generated/client';
import type { ServiceDatabases } from '../scripts/seed';
import type { PaymentStore } from '../subgraphs/payments/PaymentStore';
import { PrismaPaymentStore } from '../subgraphs/payments/PrismaPaymentStore';
import type { ProfileStore } from '../subgraphs/profiles/ProfileStore';
import { PrismaProfileStore } from '../subgraphs/profiles/PrismaProfileStore';
import { PrismaProjectStore } from '../subgraphs/projects/PrismaProjectStore';
import type { ProjectStore } from '../subgraphs/projects/ProjectStore';
import { openMongoTeamsData } from '../subgraphs/teams/openMongoTeamsData';
import { openPrismaTeamsData } from '../subgraphs/teams/openPrismaTeamsData';
import type { TeamStore } from '../subgraphs/teams/TeamStore';
import type { TeamTokenStore } from '../subgraphs/teams/TeamTokenStore';
import { MongoUserStore } from '../subgraphs/users/MongoUserStore';
import { openPrismaUsersData } from '../subgraphs/users/openPrismaUsersData';
import type { UserStore } from '../subgraphs/users/UserStore';

/** One client per store, as the services use them: the operator tools go through the same stores. */
export interface OpenStores {
  users: UserStore;
  teams: TeamStore;
  teamTokens: TeamTokenStore;
  projects: ProjectStore;
  payments: PaymentStore;
  profiles: ProfileStore;
  close(): Promise<void>;
}

export async function openStores(databases: ServiceDatabases): Promise<OpenStores> {
  const opened: { close(): Promise<unknown> }[] = [];
  try {
    const users = await openUsers(databases, opened);
    // Wherever the teams live: their PostgreSQL database when one is named (TEAMS_STORE=postgresql).
    const teams = databases.teamsUrl ? openPrismaTeamsData(databases.teamsUrl) : await openMongoTeamsData(databases.mongoUrl, databases.teamsDatabase);
    opened.push(teams);
    const projects = createPrismaClient(ProjectsClient, databases.projectsUrl);
    opened.push({ close: () => projects.$disconnect() });
    const payments = createPrismaClient(PaymentsClient, databases.paymentsUrl);
    opened.push({ close: () => payments.$disconnect() });
    const profiles = createPrismaClient(ProfilesClient, databases.profilesUrl);
    opened.push({ close: () => profiles.$disconnect() });
    return {
      users,
      teams: teams.teams,
      teamTokens: teams.tokens,
      projects: new PrismaProjectStore(projects),
      payments: new PrismaPaymentStore(payments),
      profiles: new PrismaProfileStore(profiles),
      close: async () => {
        for (const store of opened.reverse()) await store.close();
      },
    };
  } catch (error) {
    for (const store of opened.reverse()) await store.close();
    throw error;
  }
}

/** The users store wherever the users live: their PostgreSQL database when one is named (USERS_STORE=postgresql). */
async function openUsers(databases: ServiceDatabases, opened: { close(): Promise<unknown> }[]): Promise<UserStore> {
  if (databases.usersUrl) {
    // Refresh tokens are not the integrity check's business: their lifetime does not matter here.
    const data = openPrismaUsersData(databases.usersUrl, 0);
    opened.push(data);
    return data.users;
  }
  const connection: Connection = await connectMongo(databases.mongoUrl, databases.usersDatabase);
  opened.push(connection);
  const users = new MongoUserStore(connection);
  await users.init();
  return users;
}
