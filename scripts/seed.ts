import { createPrismaClient } from '../lib/prisma';
import { connectMongo } from '../lib/mongo';
import { PrismaClient as PaymentsClient } from '../prisma/payments/generated/client';
import type { PaymentStatus } from '../prisma/payments/generated/enums';
import type { PaymentCreateManyInput } from '../prisma/payments/generated/models/Payment';
import { PrismaClient as ProfilesClient } from '../prisma/profiles/generated/client';
import type { UserProfileCreateManyInput } from '../prisma/profiles/generated/models/UserProfile';
import { PrismaClient as ProjectsClient } from '../prisma/projects/generated/client';
import type { ProjectCreateManyInput } from '../prisma/projects/generated/models/Project';
import type { ProjectVersionCreateManyInput } from '../prisma/projects/generated/models/ProjectVersion';
import { PrismaClient as TeamsClient } from '../prisma/teams/generated/client';
import { PrismaClient as UsersClient } from '../prisma/users/generated/client';
import type { TeamRole } from '../subgraphs/teams/domain';
import type { Role } from '../subgraphs/users/domain';
import { hashPassword } from '../subgraphs/users/passwords';
import { DEMO_PASSWORD, DEMO_PAYMENTS, DEMO_PROFILES, DEMO_PROJECTS, DEMO_TEAMS, DEMO_USERS, DEMO_VERSIONS } from './demoData';

/** Records to insert into the five stores, in the shapes of scripts/demoData.ts. */
export interface DataSet {
  /** Every user signs in with this password. */
  password: string;
  users: readonly { _id: string; email: string; name: string; role: Role; emailVerified: boolean; createdAt: Date }[];
  teams: readonly { _id: string; name: string; members: readonly { userId: string; role: TeamRole; joinedAt: Date }[]; createdAt: Date }[];
  projects: readonly (Omit<ProjectCreateManyInput, 'versionCount' | 'updatedAt'> & { id: string; createdAt: Date })[];
  versions: readonly ProjectVersionCreateManyInput[];
  payments: readonly (Omit<PaymentCreateManyInput, 'updatedAt' | 'completedAt'> & { status: PaymentStatus; createdAt: Date; history: readonly PaymentStatus[] })[];
  profiles: readonly UserProfileCreateManyInput[];
}

export const DEMO_DATA: DataSet = {
  password: DEMO_PASSWORD,
  users: DEMO_USERS,
  teams: DEMO_TEAMS,
  projects: DEMO_PROJECTS,
  versions: DEMO_VERSIONS,
  payments: DEMO_PAYMENTS,
  profiles: DEMO_PROFILES,
};

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

/** The users in the users' PostgreSQL database (USERS_STORE=postgresql). */
async function seedPostgresUsers(url: string, users: DataSet['users'], passwordHash: string): Promise<void> {
  const client = createPrismaClient(UsersClient, url);
  try {
    await client.user.createMany({
      data: users.map(({ _id, ...user }) => ({ ...user, id: _id, passwordHash, updatedAt: user.createdAt })),
      skipDuplicates: true,
    });
  } finally {
    await client.$disconnect();
  }
}

/** The teams in the teams' PostgreSQL database (TEAMS_STORE=postgresql), members in their order. */
async function seedPostgresTeams(url: string, teams: DataSet['teams']): Promise<void> {
  const client = createPrismaClient(TeamsClient, url);
  try {
    await client.team.createMany({
      data: teams.map((team) => ({ id: team._id, name: team.name, revision: 0, createdAt: team.createdAt, updatedAt: team.createdAt })),
      skipDuplicates: true,
    });
    await client.teamMember.createMany({
      data: teams.flatMap((team) => team.members.map((member, position) => ({ teamId: team._id, ...member, position }))),
      skipDuplicates: true,
    });
  } finally {
    await client.$disconnect();
  }
}

export function seedDemoData(targets: ServiceDatabases): Promise<void> {
  return seedDataSet(targets, DEMO_DATA);
}

/** Inserts each record of `data` that is missing (the demo data, or a benchmark's). */
export async function seedDataSet(targets: ServiceDatabases, data: DataSet): Promise<void> {
  const { users, teams, projects: projectRows, versions, payments: paymentRows, profiles: profileRows } = data;
  const passwordHash = await hashPassword(data.password);
  if (targets.usersUrl) await seedPostgresUsers(targets.usersUrl, users, passwordHash);
  else await seedMongo(targets.mongoUrl, targets.usersDatabase, 'users', users.map((user) => ({ ...user, passwordHash })));
  if (targets.teamsUrl) await seedPostgresTeams(targets.teamsUrl, teams);
  // `revision`: the compare-and-set counter every team document carries (subgraphs/teams/MongoTeamStore.ts).
  else await seedMongo(targets.mongoUrl, targets.teamsDatabase, 'teams', teams.map((team) => ({ ...team, revision: 0 })));

  const projects = createPrismaClient(ProjectsClient, targets.projectsUrl);
  try {
    const versionCount = (id: string) => versions.filter((version) => version.projectId === id).length;
    await projects.project.createMany({
      data: projectRows.map((project) => ({ ...project, versionCount: versionCount(project.id), updatedAt: project.createdAt })),
      skipDuplicates: true,
    });
    await projects.projectVersion.createMany({ data: versions.map((version) => ({ ...version })), skipDuplicates: true });
  } finally {
    await projects.$disconnect();
  }

  const payments = createPrismaClient(PaymentsClient, targets.paymentsUrl);
  try {
    await payments.payment.createMany({
      data: paymentRows.map(({ history, ...payment }) => ({
        ...payment,
        updatedAt: payment.createdAt,
        completedAt: payment.status === 'COMPLETED' ? payment.createdAt : null,
      })),
      skipDuplicates: true,
    });
    await payments.paymentTransaction.createMany({
      data: paymentRows.flatMap((payment, index) =>
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
    await profiles.userProfile.createMany({ data: profileRows.map((profile) => ({ ...profile })), skipDuplicates: true });
  } finally {
    await profiles.$disconnect();
  }
}
