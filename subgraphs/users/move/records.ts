import type { RecordKind, StoreEngine } from '../../../lib/storeMove/types';
import { isId } from '../../../lib/validate';
import type { AuditLogEntry, RefreshTokenRecord, UserMoveRecord } from '../domain';
import { ROLES } from '../domain';

/** PostgreSQL's uuid columns hold lowercase uuids only; a MongoDB id of another shape would change or be refused. */
const uuidProblem = (what: string, value: string, target: StoreEngine) =>
  target === 'postgresql' && (!isId(value) || value !== value.toLowerCase()) ? `${what} "${value}" is not a lowercase uuid (PostgreSQL's uuid column)` : null;

/**
 * The users service's records as a move copies them, in copying order: users (tombstones, hashes
 * and revision included: UserMoveRecord), their refresh tokens (RefreshTokenRecord, merged by
 * their set-once fields), the audit log (entries never change). The outbox is not copied.
 */
export const USER_KINDS: readonly [RecordKind<UserMoveRecord>, RecordKind<RefreshTokenRecord>, RecordKind<AuditLogEntry>] = [
  {
    name: 'users',
    unmappable: (user, target) => uuidProblem('the id', user.id, target) ?? (ROLES.includes(user.role) ? null : `the role "${user.role}" is not one of ${ROLES.join(', ')}`),
  },
  {
    name: 'refresh_tokens',
    unmappable: (token, target) =>
      uuidProblem('the id', token.id, target) ??
      uuidProblem('the family id', token.familyId, target) ??
      uuidProblem('the user id', token.userId, target) ??
      (target === 'postgresql' && token.secretHash.length > 128 ? 'the secret hash is longer than the 128 characters PostgreSQL keeps' : null),
  },
  { name: 'audit_logs', unmappable: () => null },
];
