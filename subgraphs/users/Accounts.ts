import type { AccessTokenIssuer } from '../../lib/auth/accessTokens';
import type { RevocationList, SessionRevocation } from '../../lib/auth/RevocationList';
import { accessChangedEvent, revocationLifetimeMs, sessionRevocation } from '../../lib/auth/revocationEvents';
import { domainEvent, type UserDeleted, type UserRegistered } from '../../lib/events/DomainEvent';
import type { AuditFor } from '../../lib/events/audit';
import { invalidCredentials } from '../../lib/auth/identity';
import type { Bulkhead } from '../../lib/Bulkhead';
import { AppError } from '../../lib/errors';
import type { LoginThrottle } from './LoginThrottle';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import type { RefreshTokenStore } from './RefreshTokenStore';
import type { Role, User, UserChanges } from './domain';
import type { UserStore } from './UserStore';

export interface Session {
  accessToken: string;
  accessTokenExpiresIn: number;
  refreshToken: string;
  user: User;
}

export interface Registration {
  email: string;
  password: string;
  name: string;
}

/** The same answer for an unknown email and a wrong password: nothing tells which emails exist. */
const WRONG_CREDENTIALS = 'the email or password is not correct';

/**
 * Sign-up, login, session refresh and logout, and the changes that end sessions (a new role,
 * deletion, logout everywhere): the users service's credentials, in one place.
 */
export class Accounts {
  constructor(
    private readonly users: UserStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly throttle: LoginThrottle,
    /** This service's own list of ended sessions: it refuses at once, before its event goes round. */
    private readonly revocations: RevocationList,
    /** Every Argon2 hash and verification takes its turn here (bounded concurrency and queue). */
    private readonly hashing: Bulkhead,
  ) {}

  /** Sign-up: a new CUSTOMER account, signed in. */
  async register(registration: Registration, clientIp: string | null, audit: AuditFor): Promise<Session> {
    await this.throttle.registration(clientIp);
    return this.startSession(await this.createAccount(registration, 'CUSTOMER', audit));
  }

  /** An account with a password, not signed in (an admin's createUser). */
  async createAccount(registration: Registration, role: Role, audit: AuditFor): Promise<User> {
    return this.users.create({
      email: registration.email,
      name: registration.name,
      role,
      passwordHash: await this.hashing.run(() => hashPassword(registration.password)),
      // Written with the user: the profiles service makes the default profile from it.
      events: (userId) => [domainEvent<UserRegistered>('users', 'user.registered', { userId }), audit(userId)],
    });
  }

  /**
   * Deletes the account (a tombstone stays, see UserStore.delete) and ends its sessions; the other
   * services act on user.deleted and user.access-changed. False when there is no such user.
   */
  async deleteAccount(userId: string, audit: AuditFor): Promise<boolean> {
    const ended = await this.users.delete(userId, (notBefore) => [
      domainEvent<UserDeleted>('users', 'user.deleted', { userId }),
      accessChangedEvent(this.revocation(userId, notBefore), 'deleted'),
      audit(userId),
    ]);
    if (!ended) return false;
    this.revocations.revoke(this.revocation(userId, ended));
    await this.refreshTokens.revokeAllOf(userId);
    return true;
  }

  /**
   * Changes a user; a new role ends their sessions (tokens carry the role), so the client refreshes
   * and gets a token with the new one. Null when there is no such user.
   */
  async updateUser(userId: string, changes: UserChanges, audit: AuditFor): Promise<User | null> {
    const updated = await this.users.update(userId, changes, [audit(userId)], (notBefore) => [
      accessChangedEvent(this.revocation(userId, notBefore), 'role-changed', changes.role ?? null),
    ]);
    if (!updated) return null;
    if (updated.sessionsEndedAt) this.revocations.revoke(this.revocation(userId, updated.sessionsEndedAt));
    return updated.user;
  }

  /**
   * Ends every session of the user: every refresh token, and every access token issued until now.
   * The refresh tokens go first, so that a refresh racing this either reads the user before the
   * cut-off (its token is refused) or after it, when its family is already revoked (see refresh).
   * False when there is no such user.
   */
  async logoutEverywhere(userId: string, audit: AuditFor): Promise<boolean> {
    await this.refreshTokens.revokeAllOf(userId);
    const ended = await this.users.endSessions(userId, (notBefore) => [accessChangedEvent(this.revocation(userId, notBefore), 'logged-out-everywhere'), audit(userId)]);
    if (!ended) return false;
    this.revocations.revoke(this.revocation(userId, ended));
    return true;
  }

  /** Sessions ended within the last access-token lifetime: what every verifier must still refuse. */
  async recentRevocations(): Promise<SessionRevocation[]> {
    const ended = await this.users.sessionsEndedSince(new Date(Date.now() - revocationLifetimeMs(this.accessTokens.ttlSeconds)));
    return ended.map(({ userId, notBefore }) => this.revocation(userId, notBefore));
  }

  private revocation(userId: string, notBefore: Date): SessionRevocation {
    return sessionRevocation(userId, notBefore, this.accessTokens.ttlSeconds);
  }

  async login(email: string, password: string, clientIp: string | null, audit: AuditFor): Promise<Session> {
    // A sign-in already made to wait is refused before it takes a place in the hashing queue.
    await this.throttle.check(email, clientIp);
    const credentials = await this.users.findCredentials(email);
    const matches = await this.hashing.run(async () => {
      // Counted when its turn comes, before the hash: parallel guesses are still counted as they
      // are checked, and a queue of sign-ins does not count against its address while waiting.
      await this.throttle.attempt(email, clientIp);
      return credentials?.passwordHash
        ? verifyPassword(credentials.passwordHash, password)
        : verifyPassword(await decoyHash(), password).then(() => false);
    });
    // A failed attempt stays counted by the throttle.
    if (!credentials || !matches) throw new AppError('UNAUTHENTICATED', WRONG_CREDENTIALS);
    await this.throttle.succeeded(email, clientIp);
    // Read again as a session must (see UserStore.findForSession): the role may have changed, or the
    // account gone, while the password was being checked.
    const current = await this.users.findForSession(credentials.user.id);
    if (!current) throw new AppError('UNAUTHENTICATED', WRONG_CREDENTIALS);
    return this.startSession(current.user, undefined, audit, current.readAt);
  }

  /** Rotates the refresh token: the one presented is spent, a new one of the same family comes back. */
  async refresh(refreshToken: string, audit: AuditFor): Promise<Session> {
    const redemption = await this.refreshTokens.redeem(refreshToken);
    if (!redemption.ok) {
      throw invalidCredentials(
        redemption.reason === 'reused'
          ? 'this refresh token was already used; every session started from the same login has been ended'
          : `the refresh token is ${redemption.reason === 'unknown' ? 'not valid' : redemption.reason}`,
      );
    }
    // The user as they are now (their current role), read after any change that ended sessions.
    const current = await this.users.findForSession(redemption.userId);
    if (!current) throw invalidCredentials('the account no longer exists');
    // A logout everywhere revokes the refresh tokens before it ends the access tokens: a refresh that
    // redeemed just before the one and read the user just after the other finds its family ended.
    // (A revocation for reuse does not count here: the use that spent the token first still wins.)
    if (await this.refreshTokens.familyEnded(redemption.familyId)) throw invalidCredentials('the refresh token is revoked');
    return this.startSession(current.user, { familyId: redemption.familyId, expiresAt: redemption.expiresAt }, audit, current.readAt);
  }

  logout(refreshToken: string, audit: AuditFor): Promise<boolean> {
    return this.refreshTokens.revokeByToken(refreshToken, (userId) => [audit(userId)]);
  }

  /**
   * `audit`: the sign-in's audit event, written with its refresh token (none for a registration's:
   * written with the user). `issuedAt`: when the user was read (UserStore.findForSession), so that
   * a change which ended sessions just after refuses the token (see UserStore.endingSessions).
   */
  private async startSession(user: User, rotation?: { familyId: string; expiresAt: Date }, audit?: AuditFor, issuedAt = Date.now()): Promise<Session> {
    const [accessToken, refreshToken] = await Promise.all([
      this.accessTokens.sign({ userId: user.id, role: user.role }, issuedAt),
      this.refreshTokens.issue(user.id, rotation, audit ? [audit(user.id)] : []),
    ]);
    return { accessToken, accessTokenExpiresIn: this.accessTokens.ttlSeconds, refreshToken, user };
  }
}
