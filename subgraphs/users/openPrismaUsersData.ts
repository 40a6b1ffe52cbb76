import type { DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { createPrismaClient, type PrismaOptions } from '../../lib/prisma';
import { PrismaClient } from '../../prisma/users/generated/client';
import { PrismaAuditLogStore } from './PrismaAuditLogStore';
import { PrismaRefreshTokenStore } from './PrismaRefreshTokenStore';
import { PrismaUserStore } from './PrismaUserStore';
import type { UsersData } from './UsersData';

/** The users service's stores on PostgreSQL (USERS_STORE=postgresql): one Prisma client, on a database migrated beforehand. */
export function openPrismaUsersData(databaseUrl: string, refreshTokenTtlSeconds: number, timeouts?: DatabaseTimeouts, prismaOptions: PrismaOptions = {}): UsersData {
  const db = createPrismaClient(PrismaClient, databaseUrl, { ...prismaOptions, ...(timeouts ? { timeouts } : {}) });
  const users = new PrismaUserStore(db);
  const refreshTokens = new PrismaRefreshTokenStore(db, refreshTokenTtlSeconds);
  const auditLog = new PrismaAuditLogStore(db);
  return {
    users,
    refreshTokens,
    auditLog,
    moveAdapters: { users: users.moveAdapter(), refresh_tokens: refreshTokens.moveAdapter(), audit_logs: auditLog.moveAdapter() },
    ping: async () => void (await db.$queryRaw`SELECT 1`),
    close: () => db.$disconnect(),
  };
}
