import type { AuditLogStore } from './AuditLogStore';
import type { RefreshTokenStore } from './RefreshTokenStore';
import type { UserStore } from './UserStore';

/** The users service's stores on one database, whichever engine it is, and that database's health and end. */
export interface UsersData {
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  auditLog: AuditLogStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}
