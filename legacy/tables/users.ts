import { AS_OF, DAY, instant, LAUNCHED_AT } from '../clock';
import { legacyPasswordFor } from '../passwords';
import { dirtOrdinal, type LegacyPlan } from '../plan';
import { hash32, Random, rowId, rowIndex, TABLE_TAG } from '../random';
import type { TableSpec } from '../tableSpec';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES } from '../vocabulary';

export type LegacyRole = 'ADMIN' | 'CUSTOMER' | 'VENDOR';

export type UserRow = {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  role: LegacyRole;
  email_verified: boolean;
  created_at: number;
  updated_at: number;
};

export const USERS: TableSpec<UserRow> = {
  name: 'auth.users',
  columns: {
    id: 'uuid',
    email: 'text',
    password_hash: 'text',
    name: 'text',
    role: 'text',
    email_verified: 'boolean',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
};

/*
 * The traits below are pure functions of (seed, user index), not read from generated rows, so
 * that payments, tokens and profiles can use a user's id, role or sign-up time without the users
 * table being held in memory. Indices at or past plan.users are deleted users (plan.ts).
 */

export function legacyUserId(seed: number, index: number): string {
  return rowId(seed, TABLE_TAG.users, index);
}

/**
 * Which user (index) has id `id`, e.g. to find the password of a user met after migration:
 * legacyPasswordFor(legacyUserIndex(seed, id)). Null for an id the generator never made; an index
 * of plan.users or more is a deleted user's.
 */
export function legacyUserIndex(seed: number, id: string): number | null {
  return rowIndex(seed, TABLE_TAG.users, id);
}

/** User 0 is the founder's ADMIN account (so config rows have an admin to name); then 0.5% admins, 15% vendors. */
export function userRole(seed: number, index: number): LegacyRole {
  if (index === 0) return 'ADMIN';
  const roll = hash32(seed, TABLE_TAG.userTraits, index, 0) % 1000;
  return roll < 5 ? 'ADMIN' : roll < 155 ? 'VENDOR' : 'CUSTOMER';
}

/**
 * Users signed up one after another, from launch until a week before the snapshot (so that even
 * the newest have had time for a payment's whole history, which takes up to two days, before it).
 */
export function userCreatedAt(plan: LegacyPlan, index: number): number {
  const jitter = hash32(plan.seed, TABLE_TAG.userTraits, index, 1) / 4294967296;
  return LAUNCHED_AT + (((index % plan.users) + jitter) / plan.users) * (AS_OF - 7 * DAY - LAUNCHED_AT);
}

/**
 * Dirt: some people registered twice, the second time with their address capitalised
 * (Alice.Smith@Example.com and alice.smith@example.com); the legacy UNIQUE(email) is case
 * sensitive, so both got in. The twin copies the previous user's name and address.
 */
function twinPartner(plan: LegacyPlan, index: number): number | null {
  if (index >= plan.users || dirtOrdinal(plan, 'caseTwinEmail', index) < 0) return null;
  return (index - 1 + plan.users) % plan.users;
}

function nameParts(seed: number, index: number): { first: string; last: string } {
  return {
    first: FIRST_NAMES[hash32(seed, TABLE_TAG.userTraits, index, 2) % FIRST_NAMES.length]!,
    last: LAST_NAMES[hash32(seed, TABLE_TAG.userTraits, index, 3) % LAST_NAMES.length]!,
  };
}

/** Lowercase, unique (it carries the index), in one of a few common shapes. */
function plainEmail(seed: number, index: number): string {
  const { first, last } = nameParts(seed, index);
  const domain = EMAIL_DOMAINS[hash32(seed, TABLE_TAG.userTraits, index, 4) % EMAIL_DOMAINS.length]!;
  const local = [`${first}.${last}${index}`, `${first[0]}${last}${index}`, `${first}_${index}`][hash32(seed, TABLE_TAG.userTraits, index, 5) % 3]!;
  return `${local.toLowerCase()}@${domain}`;
}

const capitalise = (part: string) => part.charAt(0).toUpperCase() + part.slice(1);

function email(plan: LegacyPlan, index: number): string {
  const partner = twinPartner(plan, index);
  if (partner === null) return plainEmail(plan.seed, index);
  return plainEmail(plan.seed, partner)
    .split('@')
    .map((side) => side.split('.').map(capitalise).join('.'))
    .join('@');
}

/** Dirt: a few accounts have no name at all (the column is nullable; an old sign-up form skipped it). */
function name(plan: LegacyPlan, index: number): string | null {
  if (dirtOrdinal(plan, 'nullName', index) >= 0) return null;
  const { first, last } = nameParts(plan.seed, twinPartner(plan, index) ?? index);
  return `${first} ${last}`;
}

/** What a test needs to find and sign in as legacy user `index`: the generator writes exactly this. */
export function legacyUser(plan: LegacyPlan, index: number): { id: string; email: string; name: string | null; role: LegacyRole; password: string } {
  return { id: legacyUserId(plan.seed, index), email: email(plan, index), name: name(plan, index), role: userRole(plan.seed, index), password: legacyPasswordFor(index) };
}

export function makeUsers(plan: LegacyPlan, passwordHashes: readonly string[], start: number, end: number): UserRow[] {
  const rows: UserRow[] = [];
  for (let index = start; index < end; index++) {
    const random = new Random(plan.seed, TABLE_TAG.users, index);
    const createdAt = userCreatedAt(plan, index);
    const user = legacyUser(plan, index);
    rows.push({
      id: user.id,
      email: user.email,
      password_hash: passwordHashes[index % passwordHashes.length]!,
      name: user.name,
      role: user.role,
      email_verified: random.chance(0.85),
      created_at: instant(createdAt),
      // A third never changed anything; the rest at some point before the snapshot.
      updated_at: instant(random.chance(0.33) ? createdAt : createdAt + random.float() * (AS_OF - createdAt)),
    });
  }
  return rows;
}
