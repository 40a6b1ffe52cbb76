import type { Entity } from '../entity';
import { auditLogs } from './auditLogs';
import { deletedUsers } from './deletedUsers';
import { paymentTransactions } from './paymentTransactions';
import { payments } from './payments';
import { profiles } from './profiles';
import { refreshTokens } from './refreshTokens';
import { users } from './users';

/** In order: what is referred to comes before what refers to it (a payment's history needs the payment). */
export const ENTITIES: readonly Entity[] = [users, deletedUsers, refreshTokens, payments, paymentTransactions, profiles, auditLogs];

/** Legacy tables no service owns in the new layout: listed by plan and stats, never silently dropped. */
export const UNOWNED_TABLES = [
  { table: 'admin.system_config', why: 'system settings of the old monolith; no service owns them in the new layout (each service reads its own environment)' },
] as const;
