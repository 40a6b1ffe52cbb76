import { AS_OF, DAY, instant, YEAR } from '../clock';
import { dirtOrdinal, type LegacyPlan } from '../plan';
import { Random, rowId, TABLE_TAG } from '../random';
import type { TableSpec } from '../tableSpec';
import { legacyUserId, userCreatedAt } from './users';

export type RefreshTokenRow = {
  id: string;
  user_id: string;
  token: string;
  expires_at: number;
  created_at: number;
};

export const REFRESH_TOKENS: TableSpec<RefreshTokenRow> = {
  name: 'auth.refresh_tokens',
  columns: { id: 'uuid', user_id: 'uuid', token: 'text', expires_at: 'timestamptz', created_at: 'timestamptz' },
};

/**
 * The legacy auth service issued "remember me" refresh tokens valid for ten years, and never
 * pruned the table. So live tokens stay live for any plausible migration date, and the expired
 * ones are exactly the few planted as dirt: tokens issued for a fortnight, long before the snapshot.
 */
const LIVE_TOKEN_LIFETIME = 10 * YEAR;
const SHORT_TOKEN_LIFETIME = 14 * DAY;

export function makeRefreshTokens(plan: LegacyPlan, start: number, end: number): RefreshTokenRow[] {
  const rows: RefreshTokenRow[] = [];
  for (let index = start; index < end; index++) {
    const random = new Random(plan.seed, TABLE_TAG.refreshTokens, index);
    const expired = dirtOrdinal(plan, 'expiredToken', index) >= 0;
    // Expired ones belong to the older 80% of users, so they could be issued and lapse before the snapshot.
    const user = random.below(expired ? Math.floor(plan.users * 0.8) : plan.users);
    const signedUp = userCreatedAt(plan, user);
    const createdAt = expired
      ? signedUp + random.float() * (AS_OF - SHORT_TOKEN_LIFETIME - DAY - signedUp)
      : signedUp + random.float() * (AS_OF - signedUp);
    rows.push({
      id: rowId(plan.seed, TABLE_TAG.refreshTokens, index),
      user_id: legacyUserId(plan.seed, user),
      token: random.hex(32),
      expires_at: instant(createdAt + (expired ? SHORT_TOKEN_LIFETIME : LIVE_TOKEN_LIFETIME)),
      created_at: instant(createdAt),
    });
  }
  return rows;
}
