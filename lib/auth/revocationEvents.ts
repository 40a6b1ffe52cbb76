import { domainEvent, type DomainEvent, type UserAccessChanged } from '../events/DomainEvent';
import { consume, payloadId } from '../events/consume';
import { retryDelayMs, type EventTransport, type Subscription } from '../events/EventTransport';
import type { ConsumerName } from '../events/topology';
import type { Logger } from '../logger';
import { postGraphQL } from '../postGraphQL';
import { CLOCK_TOLERANCE_SECONDS } from './accessTokens';
import type { RevocationList, SessionRevocation } from './RevocationList';
import type { RequestSigner } from './RequestSigner';

/**
 * How a process's RevocationList learns of ended sessions: live from the `user.access-changed`
 * events (one consumer per service in lib/events/topology.ts, on either transport), and at start
 * from the users service, which keeps when each user's sessions last ended on the user itself
 * (written with the change and its event) and answers `_sessionRevocations` with those of the last
 * access-token lifetime. So a restarted process does not forget, whichever transport carries the
 * events, and without a database of its own (the gateway has none).
 */
export const USER_ACCESS_CHANGED = 'user.access-changed';

/** How long a revocation matters (ms): until the last token issued before it has expired, clock tolerance included. */
export function revocationLifetimeMs(accessTokenTtlSeconds: number): number {
  return (accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS) * 1000;
}

/** The revocation of sessions ended at `notBefore`, kept until the last token it refuses has expired. */
export function sessionRevocation(userId: string, notBefore: Date, accessTokenTtlSeconds: number): SessionRevocation {
  const at = notBefore.getTime();
  return { userId, notBefore: at, expiresAt: at + revocationLifetimeMs(accessTokenTtlSeconds) };
}

export function accessChangedEvent(
  revocation: SessionRevocation,
  reason: UserAccessChanged['reason'],
  role: string | null = null,
): DomainEvent<UserAccessChanged> {
  return domainEvent<UserAccessChanged>('users', USER_ACCESS_CHANGED, {
    userId: revocation.userId,
    notBefore: new Date(revocation.notBefore).toISOString(),
    expiresAt: new Date(revocation.expiresAt).toISOString(),
    reason,
    role,
  });
}

function instant(value: unknown, what: string): number {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new Error(`${what} is not an ISO-8601 instant`);
  return at;
}

/** The revocation an event carries; an event without one can never succeed (dead-lettered with why). */
export function revocationOf(event: DomainEvent): SessionRevocation {
  return {
    userId: payloadId(event, 'userId'),
    notBefore: instant(event.payload.notBefore, `${event.type} ${event.id}: notBefore`),
    expiresAt: instant(event.payload.expiresAt, `${event.type} ${event.id}: expiresAt`),
  };
}

/** Applies every `user.access-changed` to `list` (idempotent: a revocation applied twice changes nothing). */
export function followRevocations(transport: EventTransport, consumer: ConsumerName, list: RevocationList, logger: Logger): Promise<Subscription> {
  return consume(transport, consumer, logger, async (event) => list.revoke(revocationOf(event)));
}

/** Failed attempts (about 7 s of retrying) before a warning. */
const WARN_AFTER_ATTEMPTS = 5;

const SNAPSHOT_QUERY = `query SessionRevocations { _sessionRevocations { userId notBefore expiresAt } }`;

interface SnapshotRow {
  userId: string;
  notBefore: string;
  expiresAt: string;
}

export interface RevocationSnapshot {
  /** Stops retrying (the process is stopping). */
  stop(): void;
}

/**
 * Fills `list` with the users service's recent revocations, once. The first attempt is awaited
 * (bounded by `timeoutMs`), so a process that can reach the users service serves knowing them;
 * if it cannot, the process serves anyway (verifying a token needs nobody) and tries again in
 * the background with growing pauses until it can, meanwhile knowing only the revocations that
 * arrive as events. The gateway and the other services keep their own lists all the while.
 */
export async function loadRevocationsVia(
  usersUrl: string,
  signer: RequestSigner,
  list: RevocationList,
  logger: Logger,
  timeoutMs = 2_000,
): Promise<RevocationSnapshot> {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const attempt = async (number: number): Promise<void> => {
    try {
      const data = await postGraphQL<{ _sessionRevocations: SnapshotRow[] }>(usersUrl, SNAPSHOT_QUERY, {}, { signer, timeoutMs });
      for (const row of data._sessionRevocations) {
        list.revoke({ userId: row.userId, notBefore: instant(row.notBefore, 'notBefore'), expiresAt: instant(row.expiresAt, 'expiresAt') });
      }
      if (number > 1) logger.info('recent session revocations loaded from the users service');
    } catch (error) {
      // Services starting side by side (npm start) often come up before the users service: say so
      // quietly at first, and loudly once it has been a while.
      if (number === 1) logger.info('the users service is not answering yet; will load recent session revocations when it does');
      if (number === WARN_AFTER_ATTEMPTS) logger.warn('still cannot load recent session revocations from the users service; retrying', error);
      if (!stopped) {
        timer = setTimeout(() => void attempt(number + 1), retryDelayMs(number));
        // Retrying must not keep a process alive that is otherwise done.
        timer.unref();
      }
    }
  };
  await attempt(1);
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
