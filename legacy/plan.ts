import { hash32, spreadOrdinal, TABLE_TAG } from './random';

/**
 * How many rows each table gets for `users` users, and how many rows of each kind of dirt. The
 * proportions are the legacy system's: about 1 refresh token, 2 payments (each with 1-3
 * transactions), 1 audit-log entry and 1 profile per user, and a few dozen config keys: about ten
 * rows per user, so 100,000 users make a source of about a million rows.
 */
export interface LegacyPlan {
  seed: number;
  users: number;
  refreshTokens: number;
  payments: number;
  auditLogs: number;
  userProfiles: number;
  /** Rows of each kind of dirt (see LegacyDirt): a fraction of a percent, but at least 3. */
  dirtPerKind: number;
}

/** Below this the "at least 3 of each kind of dirt, on different rows" promise cannot hold. */
export const MIN_USERS = 30;

/** Two per thousand users: rare, as in the real database, but enough to matter at scale. */
const DIRT_RATE = 0.002;

export function legacyPlan(users: number, seed: number): LegacyPlan {
  if (!Number.isSafeInteger(users) || users < MIN_USERS) throw new Error(`users must be a whole number of at least ${MIN_USERS}`);
  return {
    seed,
    users,
    refreshTokens: users,
    payments: users * 2,
    auditLogs: users,
    userProfiles: users,
    // At most a tenth of the users, so twin users (a pair each) and their partners never overlap.
    dirtPerKind: Math.min(Math.max(3, Math.round(users * DIRT_RATE)), Math.floor(users / 10)),
  };
}

/** The kinds of dirt, each placed on its own evenly spread rows. */
export const DIRT_KINDS = ['caseTwinEmail', 'nullName', 'orphanPayment', 'orphanProfile', 'expiredToken'] as const;
export type DirtKind = (typeof DIRT_KINDS)[number];

/** How many rows the table a kind of dirt lives in has. */
function dirtTableSize(plan: LegacyPlan, kind: DirtKind): number {
  switch (kind) {
    case 'caseTwinEmail':
    case 'nullName':
      return plan.users;
    case 'orphanPayment':
      return plan.payments;
    case 'orphanProfile':
      return plan.userProfiles;
    case 'expiredToken':
      return plan.refreshTokens;
  }
}

/**
 * Which of the plan's `dirtPerKind` dirty rows of this kind row `index` is (0-based), or -1 when
 * it is clean. Where the dirt lands depends on the seed too, so different seeds dirty different rows.
 */
export function dirtOrdinal(plan: LegacyPlan, kind: DirtKind, index: number): number {
  const total = dirtTableSize(plan, kind);
  return spreadOrdinal(index, total, plan.dirtPerKind, hash32(plan.seed, TABLE_TAG.dirt, DIRT_KINDS.indexOf(kind)) % total);
}

/**
 * Users that once existed and were deleted: their ids are those of user indices users..users+n-1,
 * which the users table never gets. Orphaned payments and profiles point at them, as they point
 * at deleted users in the real database.
 */
export function deletedUserIndex(plan: LegacyPlan, ordinal: number): number {
  return plan.users + ordinal;
}
