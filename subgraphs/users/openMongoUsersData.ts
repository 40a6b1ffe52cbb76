import { connectMongo, initStores, type MongoOptions } from '../../lib/mongo';
import type { DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { MongoAuditLogStore } from './MongoAuditLogStore';
import { MongoRefreshTokenStore } from './MongoRefreshTokenStore';
import { MongoUserStore } from './MongoUserStore';
import type { UsersData } from './UsersData';

/** The users service's stores on MongoDB (FerretDB): one connection, indexes made at start. */
export async function openMongoUsersData(
  mongoUrl: string,
  database: string,
  refreshTokenTtlSeconds: number,
  /** A service's bounds; an operator tool's long reads go without. */
  timeouts?: DatabaseTimeouts,
  mongoOptions: MongoOptions = {},
): Promise<UsersData> {
  const connection = await connectMongo(mongoUrl, database, { ...mongoOptions, ...(timeouts ? { timeouts } : {}) });
  const users = new MongoUserStore(connection);
  const refreshTokens = new MongoRefreshTokenStore(connection, refreshTokenTtlSeconds);
  const auditLog = new MongoAuditLogStore(connection);
  await initStores(connection, users, refreshTokens, auditLog);
  return {
    users,
    refreshTokens,
    auditLog,
    moveAdapters: { users: users.moveAdapter(), refresh_tokens: refreshTokens.moveAdapter(), audit_logs: auditLog.moveAdapter() },
    ping: async () => void (await connection.db!.admin().ping()),
    close: () => connection.close(),
  };
}
