import { randomUUID } from 'node:crypto';
import type { DataSet } from '../../../seed';

/** Users per team in the dashboard data (the first is its OWNER). */
const TEAM_SIZE = 4;

/**
 * The dashboard workload's data: `count` users, each with what the dashboard shows: a team (of
 * four), a team project and a personal one with a version each, a payment sent to the next user
 * and one received from the previous, and a profile.
 */
export function dashboardData(count: number): DataSet & { userIds: string[] } {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);
  const userIds = Array.from({ length: count }, () => randomUUID());
  const users = userIds.map((id, index) => ({
    _id: id,
    email: `bench.${index}@dashboard.test`,
    name: `Bench User ${index}`,
    role: 'CUSTOMER' as const,
    emailVerified: true,
    createdAt: at(index),
  }));
  const teams = Array.from({ length: Math.ceil(count / TEAM_SIZE) }, (_, team) => ({
    _id: randomUUID(),
    name: `Bench Team ${team}`,
    members: userIds.slice(team * TEAM_SIZE, (team + 1) * TEAM_SIZE).map((userId, position) => ({
      userId,
      role: position === 0 ? ('OWNER' as const) : ('MEMBER' as const),
      joinedAt: at(count + team),
    })),
    createdAt: at(count + team),
  }));
  const projects = userIds.flatMap((ownerId, index) => [
    { id: randomUUID(), name: `Team API ${index}`, type: 'GRAPHQL' as const, ownerId, teamId: teams[Math.floor(index / TEAM_SIZE)]!._id, createdAt: at(2 * count + index) },
    { id: randomUUID(), name: `Notes ${index}`, type: 'DATABASE' as const, ownerId, teamId: null, createdAt: at(3 * count + index) },
  ]);
  const versions = projects.map((project) => ({
    id: randomUUID(),
    projectId: project.id,
    number: 1,
    authorId: project.ownerId,
    message: `First draft of ${project.name}`,
    document: { types: { Order: { id: 'ID!' } } },
    createdAt: at(4 * count),
  }));
  const payments = userIds.map((senderId, index) => ({
    id: randomUUID(),
    senderId,
    recipientId: userIds[(index + 1) % count]!,
    amount: `${10 + (index % 90)}.50`,
    currency: 'EUR',
    status: 'COMPLETED' as const,
    type: 'INSTANT' as const,
    description: `Invoice ${index}`,
    history: ['PENDING', 'PROCESSING', 'COMPLETED'] as const,
    createdAt: at(5 * count + index),
  }));
  const profiles = userIds.map((userId, index) => ({
    id: randomUUID(),
    userId,
    bio: `Bench user number ${index}.`,
    phone: `+44 20 7946 ${String(index).padStart(4, '0')}`,
    address: 'London',
    avatarUrl: null,
  }));
  return { password: 'bench-dashboard-password', users, teams, projects, versions, payments, profiles, userIds };
}
