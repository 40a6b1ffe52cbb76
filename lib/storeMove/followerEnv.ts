import { cleanEnv, makeValidator, num } from 'envalid';
import { DEFAULT_FOLLOWER_OPTIONS, type MoveFollowerOptions } from './MoveFollower';

const share = makeValidator<number>((value) => {
  const parsed = Number(value);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(value) || parsed < 0 || parsed > 1) throw new Error('must be a number from 0 to 1');
  return parsed;
});

/** MOVE_POLL_INTERVAL_MS and MOVE_SHADOW_READ_SHARE: how a service instance (users, teams) follows a store move. */
export function followerEnv(environment: NodeJS.ProcessEnv = process.env): MoveFollowerOptions {
  const env = cleanEnv(environment, {
    MOVE_POLL_INTERVAL_MS: num({ default: DEFAULT_FOLLOWER_OPTIONS.pollIntervalMs, desc: "How often an instance reads a store move's shared state and reports itself (ms)" }),
    MOVE_SHADOW_READ_SHARE: share({ default: DEFAULT_FOLLOWER_OPTIONS.shadowReadShare, desc: 'During a store move, the share of reads also answered by the other store and compared (0 to 1)' }),
  });
  if (env.MOVE_POLL_INTERVAL_MS < 10 || env.MOVE_POLL_INTERVAL_MS > 10_000) throw new Error('invalid environment: MOVE_POLL_INTERVAL_MS must be from 10 to 10000');
  return { pollIntervalMs: env.MOVE_POLL_INTERVAL_MS, shadowReadShare: env.MOVE_SHADOW_READ_SHARE };
}
