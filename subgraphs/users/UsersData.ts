import type { MoveAdapters } from '../../lib/storeMove/types';
import type { AuditLogStore } from './AuditLogStore';
import type { RefreshTokenStore } from './RefreshTokenStore';
import type { UserStore } from './UserStore';

/** The users service's stores on one database, whichever engine it is, and that database's health and end. */
export interface UsersData {
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  auditLog: AuditLogStore;
  /** Each kind of record as a store move copies it (move/records.ts: users, refresh_tokens, audit_logs). */
  moveAdapters: MoveAdapters;
  ping(): Promise<void>;
  close(): Promise<void>;
}
