import type { ClientBase } from 'pg';
import type { LegacyPlan } from './plan';

/**
 * The kinds of dirt the migration has to cope with, counted in a legacy database as it is (not as
 * the generator meant it to be), so the same function can inspect a real one.
 */
export interface LegacyDirt {
  /** Groups of users whose emails are equal ignoring case (e.g. Alice@x.com and alice@x.com). */
  caseDuplicateEmailGroups: number;
  /** Users with no name. */
  usersWithoutName: number;
  /** Payments whose sender or recipient does not exist (deleted users). */
  paymentsWithMissingUser: number;
  /** Profiles whose user does not exist. */
  profilesWithMissingUser: number;
  /** Refresh tokens already expired (by the database's clock). */
  expiredRefreshTokens: number;
}

const QUERIES: Record<keyof LegacyDirt, string> = {
  caseDuplicateEmailGroups: 'SELECT count(*) FROM (SELECT lower(email) FROM auth.users GROUP BY 1 HAVING count(*) > 1) AS groups',
  usersWithoutName: 'SELECT count(*) FROM auth.users WHERE name IS NULL',
  paymentsWithMissingUser: `SELECT count(*) FROM payments.payments p
    WHERE NOT EXISTS (SELECT 1 FROM auth.users u WHERE u.id = p.sender_id)
       OR NOT EXISTS (SELECT 1 FROM auth.users u WHERE u.id = p.recipient_id)`,
  profilesWithMissingUser: 'SELECT count(*) FROM profile.user_profiles p WHERE NOT EXISTS (SELECT 1 FROM auth.users u WHERE u.id = p.user_id)',
  expiredRefreshTokens: 'SELECT count(*) FROM auth.refresh_tokens WHERE expires_at < now()',
};

export async function countDirt(client: ClientBase): Promise<LegacyDirt> {
  const counts = {} as LegacyDirt;
  for (const [kind, sql] of Object.entries(QUERIES) as [keyof LegacyDirt, string][]) {
    const { rows } = await client.query<{ count: string }>(sql);
    counts[kind] = Number(rows[0]?.count ?? 0);
  }
  return counts;
}

/** What countDirt() finds in a database the generator made from `plan`: every kind, dirtPerKind times. */
export function expectedDirt(plan: LegacyPlan): LegacyDirt {
  const n = plan.dirtPerKind;
  return { caseDuplicateEmailGroups: n, usersWithoutName: n, paymentsWithMissingUser: n, profilesWithMissingUser: n, expiredRefreshTokens: n };
}
