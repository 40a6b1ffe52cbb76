import { AS_OF, DAY, instant } from '../clock';
import type { LegacyPlan } from '../plan';
import { Random, TABLE_TAG } from '../random';
import type { TableSpec } from '../tableSpec';
import { CURRENCY_WEIGHTS } from '../vocabulary';
import { legacyUserId } from './users';

export type SystemConfigRow = {
  key: string;
  value: string;
  description: string | null;
  updated_at: number;
  updated_by: string | null;
};

export const SYSTEM_CONFIG: TableSpec<SystemConfigRow> = {
  name: 'admin.system_config',
  columns: { key: 'text', value: 'jsonb', description: 'text', updated_at: 'timestamptz', updated_by: 'uuid' },
};

/** The settings the legacy admin panel kept, as [key, value, description]: a few dozen, whatever the size. */
function settings(): [string, unknown, string | null][] {
  const currencies = CURRENCY_WEIGHTS.map(([code]) => code);
  return [
    ...currencies.flatMap((code): [string, unknown, string | null][] => [
      [`payments.max_amount.${code}`, 10_000, `Largest single payment in ${code}`],
      [`payments.min_amount.${code}`, 1, `Smallest single payment in ${code}`],
      [`payments.daily_limit.${code}`, 25_000, null],
      [`payments.fee_percent.${code}`, code === 'USD' ? 2.9 : 3.4, 'Provider fee, percent'],
    ]),
    ['payments.default_currency', 'USD', null],
    ['payments.psp', { name: 'acmepay', endpoint: 'https://psp.example.com/v1', timeoutMs: 15_000 }, 'Payment service provider'],
    ['payments.retry_attempts', 3, null],
    ['payments.recurring.enabled', true, null],
    ['auth.refresh_token_days', 3650, 'Remember-me lifetime (yes, ten years)'],
    ['auth.access_token_minutes', 60, null],
    ['auth.password_min_length', 6, 'Raised to 8 for new sign-ups only'],
    ['auth.login_attempts_before_lockout', 5, null],
    ['auth.require_email_verification', false, null],
    ['auth.allowed_roles', ['ADMIN', 'CUSTOMER', 'VENDOR'], null],
    ['profile.avatar_max_kb', 512, null],
    ['profile.bio_max_length', 2000, null],
    ['admin.audit_retention_days', 730, 'Nobody ever ran the cleanup'],
    ['admin.maintenance_mode', false, null],
    ['admin.support_email', 'support@example.com', null],
    ['feature.new_checkout', { enabled: true, rollout: 0.25 }, 'A/B test, never finished'],
    ['feature.dark_mode', true, null],
    ['feature.vendor_dashboard', { enabled: true }, null],
    ['feature.instant_payouts', false, null],
    ['feature.scheduled_payments', true, null],
    ['email.smtp_host', 'smtp.example.com', null],
    ['email.from', 'no-reply@example.com', null],
    ['email.digest_hour_utc', 7, null],
    ['legacy.schema_version', '4.12.1', 'Written by the last manual migration'],
  ];
}

/** Edited by the founding admin (user 0), except those set by deploy scripts, which name no one. */
export function makeSystemConfig(plan: LegacyPlan): SystemConfigRow[] {
  return settings().map(([key, value, description], index) => {
    const random = new Random(plan.seed, TABLE_TAG.systemConfig, index);
    return {
      key,
      value: JSON.stringify(value),
      description,
      updated_at: instant(AS_OF - random.float() * 700 * DAY),
      updated_by: random.chance(0.7) ? legacyUserId(plan.seed, 0) : null,
    };
  });
}
