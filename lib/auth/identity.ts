import { GraphQLError } from 'graphql';
import { AppError } from '../errors';

export const USER_ROLES = ['ADMIN', 'CUSTOMER', 'VENDOR'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * Who is asking, as every service sees it after verifying the bearer credential itself:
 * nobody, a user (access token), or a team (team API token, acting within that team only).
 */
export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; role: UserRole }
  | { kind: 'team'; teamId: string; tokenId: string };

export type UserIdentity = Extract<Identity, { kind: 'user' }>;

export const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' });

/** A credential that was presented but is not valid: refused before anything runs, HTTP 401. */
export function invalidCredentials(reason: string): GraphQLError {
  return new GraphQLError(`not authenticated: ${reason}`, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function unauthenticated(message = 'sign in first: this needs an access token'): AppError {
  return new AppError('UNAUTHENTICATED', message);
}

export function forbidden(message: string): AppError {
  return new AppError('FORBIDDEN', message);
}

export function isAdmin(identity: Identity): boolean {
  return identity.kind === 'user' && identity.role === 'ADMIN';
}

/** The signed-in user, or UNAUTHENTICATED (anonymous) / FORBIDDEN (a team token). */
export function requireUser(identity: Identity): UserIdentity {
  if (identity.kind === 'user') return identity;
  if (identity.kind === 'team') throw forbidden('a team token cannot do this; sign in as a user');
  throw unauthenticated();
}

export function requireAdmin(identity: Identity): UserIdentity {
  const user = requireUser(identity);
  if (user.role !== 'ADMIN') throw forbidden('only admins may do this');
  return user;
}

/** Anyone who presented a valid credential (a user or a team token). */
export function requireAuthenticated(identity: Identity): Exclude<Identity, { kind: 'anonymous' }> {
  if (identity.kind === 'anonymous') throw unauthenticated();
  return identity;
}

/** True for the user themselves and for admins. */
export function isSelfOrAdmin(identity: Identity, userId: string): boolean {
  return identity.kind === 'user' && (identity.userId === userId || identity.role === 'ADMIN');
}
