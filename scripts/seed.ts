import { createPrismaClient } from '../lib/prisma';
import { connectMongo } from '../lib/mongo';
import { PrismaClient as PaymentsClient } from '../prisma/payments/generated/client';
import { PrismaClient as ProfilesClient } from '../prisma/profiles/generated/client';
import { PrismaClient as ProjectsClient } from '../prisma/projects/generated/client';
import { PrismaClient as TeamsClient } from '../prisma/teams/generated/client';
import { PrismaClient as UsersClient } from '../prisma/users/generated/client';
import { hashPassword } from '../subgraphs/users/passwords';
import { DEMO_PASSWORD, DEMO_PAYMENTS, DEMO_PROFILES, DEMO_PROJECTS, DEMO_TEAMS, DEMO_USERS, DEMO_VERSIONS } from './demoData';

/** Where each service keeps its data. */
export interface ServiceDatabases {
  mongoUrl: string;
  usersDatabase: string;
  teamsDatabase: string;
  /** Set when the teams live on PostgreSQL (TEAMS_STORE=postgresql): their database, instead of `teamsDatabase`. */
  teamsUrl?: string;
  /** Set when the users live on PostgreSQL (USERS_STORE=postgresql): their database, instead of `usersDatabase`. */
  usersUrl?: string;
  projectsUrl: string;
  paymentsUrl: string;
  profilesUrl: string;
}

/** Inserts each demo record that is missing; running it again changes nothing. */
async function seedMongo(url: string, database: string, collection: string, docs: readonly { _id: string; createdAt: Date }[]) {
  const connection = await connectMongo(url, database);
  try {
    const existing = new Set(
      (await connection.collection(collection).find({ _id: { $in: docs.map((doc) => doc._id) } } as never).toArray()).map((doc) => String(doc._id)),
    );
    const missing = docs.filter((doc) => !existing.has(doc._id)).map((doc) => ({ ...doc, updatedAt: doc.createdAt }));
    if (missing.length > 0) await connection.collection(collection).insertMany(missing as never[]);
  } finally {
    await connection.close();
  }
}

/** The demo users in the users' PostgreSQL database (USERS_STORE=postgresql). */
async function seedPostgresUsers(url: string, passwordHash: string): Promise<void> {
  const users = createPrismaClient(UsersClient, url);
  try {
    await users.user.createMany({
      data: DEMO_USERS.map(({ _id, ...user }) => ({ ...user, id: _id, passwordHash, updatedAt: user.createdAt })),
      skipDuplicates: true,
    });
  } finally {
    await users.$disconnect();
  }
}

/** The demo teams in the teams' PostgreSQL database (TEAMS_STORE=postgresql), members in their order. */
async function seedPostgresTeams(url: string): Promise<void> {
  const teams = createPrismaClient(TeamsClient, url);
  try {
    await teams.team.createMany({
      data: DEMO_TEAMS.map((team) => ({ id: team._id, name: team.name, revision: 0, createdAt: team.createdAt, updatedAt: team.createdAt })),
      skipDuplicates: true,
    });
    await teams.teamMember.createMany({
      data: DEMO_TEAMS.flatMap((team) => team.members.map((member, position) => ({ teamId: team._id, ...member, position }))),
      skipDuplicates: true,
    });
  } finally {
    await teams.$disconnect();
  }
}

export async function seedDemoData(targets: ServiceDatabases): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  if (targets.usersUrl) await seedPostgresUsers(targets.usersUrl, passwordHash);
  else await seedMongo(targets.mongoUrl, targets.usersDatabase, 'users', DEMO_USERS.map((user) => ({ ...user, passwordHash })));
  if (targets.teamsUrl) await seedPostgresTeams(targets.teamsUrl);
  // `revision`: the compare-and-set counter every team document carries (subgraphs/teams/MongoTeamStore.ts).
  else await seedMongo(targets.mongoUrl, targets.teamsDatabase, 'teams', DEMO_TEAMS.map((team) => ({ ...team, revision: 0 })));

  const projects = createPrismaClient(ProjectsClient, targets.projectsUrl);
  try {
    const versionCount = (id: string) => DEMO_VERSIONS.filter((version) => version.projectId === id).length;
    await projects.project.createMany({
      data: DEMO_PROJECTS.map((project) => ({ ...project, versionCount: versionCount(project.id), updatedAt: project.createdAt })),
      skipDuplicates: true,
    });
    await projects.projectVersion.createMany({ data: DEMO_VERSIONS.map((version) => ({ ...version })), skipDuplicates: true });
  } finally {
    await projects.$disconnect();
  }

  const payments = createPrismaClient(PaymentsClient, targets.paymentsUrl);
  try {
    await payments.payment.createMany({
      data: DEMO_PAYMENTS.map(({ history, ...payment }) => ({
        ...payment,
        updatedAt: payment.createdAt,
        completedAt: payment.status === 'COMPLETED' ? payment.createdAt : null,
      })),
      skipDuplicates: true,
    });
    await payments.paymentTransaction.createMany({
      data: DEMO_PAYMENTS.flatMap((payment, index) =>
        payment.history.map((status, step) => ({
          // Fixed ids, so a re-run finds the same rows.
          id: `4d3c2b1a-0f9e-4d8c-8b7a-6f5e4d${String(index * 10 + step).padStart(6, '0')}`,
          paymentId: payment.id,
          status,
          createdAt: new Date(payment.createdAt.getTime() + step * 60_000),
        })),
      ),
      skipDuplicates: true,
    });
  } finally {
    await payments.$disconnect();
  }

  const profiles = createPrismaClient(ProfilesClient, targets.profilesUrl);
  try {
    await profiles.userProfile.createMany({ data: DEMO_PROFILES.map((profile) => ({ ...profile })), skipDuplicates: true });
  } finally {
    await profiles.$disconnect();
  }
}
