import type { ClientBase } from 'pg';
import type { LegacyPlan } from './plan';
import { insertRows } from './tableSpec';
import { AUDIT_LOGS, makeAuditLogs } from './tables/auditLogs';
import { makePayments, PAYMENT_TRANSACTIONS, PAYMENTS } from './tables/payments';
import { makeRefreshTokens, REFRESH_TOKENS } from './tables/refreshTokens';
import { makeSystemConfig, SYSTEM_CONFIG } from './tables/systemConfig';
import { makeUserProfiles, USER_PROFILES } from './tables/userProfiles';
import { makeUsers, USERS } from './tables/users';

/**
 * One unit of loading: rows start..end-1 of a table (or of payments with their transactions,
 * which are made together). Returns how many rows went into each table.
 */
export interface Loader {
  /** Tables it fills, schema-qualified. */
  tables: string[];
  /** How many indices it covers (payments, for the payments loader). */
  size: number;
  load(client: ClientBase, start: number, end: number): Promise<Record<string, number>>;
}

/** Every table's loader, in the order they are loaded (users first, so progress reads naturally). */
export function legacyLoaders(plan: LegacyPlan, passwordHashes: readonly string[]): Loader[] {
  return [
    {
      tables: [USERS.name],
      size: plan.users,
      async load(client, start, end) {
        const rows = makeUsers(plan, passwordHashes, start, end);
        await insertRows(client, USERS, rows);
        return { [USERS.name]: rows.length };
      },
    },
    {
      tables: [REFRESH_TOKENS.name],
      size: plan.refreshTokens,
      async load(client, start, end) {
        const rows = makeRefreshTokens(plan, start, end);
        await insertRows(client, REFRESH_TOKENS, rows);
        return { [REFRESH_TOKENS.name]: rows.length };
      },
    },
    {
      tables: [PAYMENTS.name, PAYMENT_TRANSACTIONS.name],
      size: plan.payments,
      async load(client, start, end) {
        const { payments, transactions } = makePayments(plan, start, end);
        await insertRows(client, PAYMENTS, payments);
        await insertRows(client, PAYMENT_TRANSACTIONS, transactions);
        return { [PAYMENTS.name]: payments.length, [PAYMENT_TRANSACTIONS.name]: transactions.length };
      },
    },
    {
      tables: [AUDIT_LOGS.name],
      size: plan.auditLogs,
      async load(client, start, end) {
        const rows = makeAuditLogs(plan, start, end);
        await insertRows(client, AUDIT_LOGS, rows);
        return { [AUDIT_LOGS.name]: rows.length };
      },
    },
    {
      tables: [USER_PROFILES.name],
      size: plan.userProfiles,
      async load(client, start, end) {
        const rows = makeUserProfiles(plan, start, end);
        await insertRows(client, USER_PROFILES, rows);
        return { [USER_PROFILES.name]: rows.length };
      },
    },
    {
      tables: [SYSTEM_CONFIG.name],
      size: 1,
      async load(client) {
        const rows = makeSystemConfig(plan);
        await insertRows(client, SYSTEM_CONFIG, rows);
        return { [SYSTEM_CONFIG.name]: rows.length };
      },
    },
  ];
}

/** Every table the generator writes, schema-qualified, in load order. */
export const LEGACY_TABLES = [USERS, REFRESH_TOKENS, PAYMENTS, PAYMENT_TRANSACTIONS, AUDIT_LOGS, USER_PROFILES, SYSTEM_CONFIG].map((spec) => spec.name);
