/**
 * Every timestamp is placed relative to one fixed instant, the moment the legacy database was
 * "snapshotted", rather than to the clock: two runs a day apart must write the same rows.
 */
export const AS_OF = Date.UTC(2026, 10, 1); // 2026-11-01T00:00:00Z

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const YEAR = 365 * DAY;

/** The legacy system went live four years before the snapshot; its first users signed up then. */
export const LAUNCHED_AT = AS_OF - 4 * YEAR;

/**
 * A timestamptz value as the generator passes it: whole milliseconds since the epoch. Numbers,
 * not ISO text: formatting millions of dates in JS and parsing them again in PostgreSQL cost more
 * than the rest of a row; tableSpec.ts turns them into timestamptz with to_timestamp().
 */
export function instant(ms: number): number {
  return Math.floor(ms);
}
