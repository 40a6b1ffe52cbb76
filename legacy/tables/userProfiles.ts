import { AS_OF, DAY, instant } from '../clock';
import { deletedUserIndex, dirtOrdinal, type LegacyPlan } from '../plan';
import { Random, rowId, TABLE_TAG } from '../random';
import type { TableSpec } from '../tableSpec';
import { BIOS, CITIES, STREETS } from '../vocabulary';
import { legacyUserId, userCreatedAt } from './users';

export type UserProfileRow = {
  id: string;
  user_id: string;
  avatar_url: string | null;
  phone: string | null;
  address: string | null;
  bio: string | null;
  preferences: string;
  created_at: number;
  updated_at: number;
};

export const USER_PROFILES: TableSpec<UserProfileRow> = {
  name: 'profile.user_profiles',
  columns: {
    id: 'uuid',
    user_id: 'uuid',
    avatar_url: 'text',
    phone: 'text',
    address: 'text',
    bio: 'text',
    preferences: 'jsonb',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
};

/** The legacy form took phone numbers as typed, so they come in several shapes (555-01xx: fictional). */
function phone(random: Random): string {
  const line = String(random.between(100, 199)).padStart(4, '0');
  return random.pick([`+1 555-${line}`, `(555) ${line.slice(0, 2)}-${line}`, `555${line}`, `+44 20 7946 0${line.slice(1)}`]);
}

/**
 * Profile `index` belongs to user `index`, so there is about one per user. Dirt: the planned few
 * belong to users deleted since (the profile outlived its user); those users' own index then has
 * no profile.
 */
export function makeUserProfiles(plan: LegacyPlan, start: number, end: number): UserProfileRow[] {
  const rows: UserProfileRow[] = [];
  for (let index = start; index < end; index++) {
    const random = new Random(plan.seed, TABLE_TAG.userProfiles, index);
    const orphan = dirtOrdinal(plan, 'orphanProfile', index);
    const user = orphan >= 0 ? deletedUserIndex(plan, orphan) : index;
    const createdAt = userCreatedAt(plan, user) + random.float() * DAY;
    const userId = legacyUserId(plan.seed, user);
    rows.push({
      id: rowId(plan.seed, TABLE_TAG.userProfiles, index),
      user_id: userId,
      avatar_url: random.chance(0.4) ? `https://cdn.example.com/avatars/${userId}.png` : null,
      phone: random.chance(0.5) ? phone(random) : null,
      address: random.chance(0.35) ? `${random.between(1, 999)} ${random.pick(STREETS)}, ${random.pick(CITIES)}` : null,
      // Empty strings and NULLs both mean "no bio": the legacy UI wrote either.
      bio: random.chance(0.5) ? random.pick(BIOS) : null,
      preferences: JSON.stringify({
        theme: random.pick(['light', 'dark', 'system']),
        locale: random.pick(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES']),
        notifications: { email: random.chance(0.8), sms: random.chance(0.2) },
      }),
      created_at: instant(createdAt),
      updated_at: instant(createdAt + random.float() * Math.max(0, AS_OF - createdAt)),
    });
  }
  return rows;
}
