import type { AccessTokenIssuer } from '../../lib/auth/accessTokens';
import { domainEvent, type UserDeleted, type UserRegistered } from '../../lib/events/DomainEvent';
import type { AuditFor } from '../../lib/events/audit';
import { invalidCredentials } from '../../lib/auth/identity';
import type { Bulkhead } from '../../lib/Bulkhead';
import { AppError } from '../../lib/errors';
import type { LoginThrottle } from './LoginThrottle';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import type { RefreshTokenStore } from './RefreshTokenStore';
import type { Role, User, UserStore } from './store';

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

/** Sign-up, login, session refresh and logout: the users service's credentials, in one place. */
export class Accounts {
  constructor(
    private readonly users: UserStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly throttle: LoginThrottle,
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
   * services act on user.deleted. False when there is no such user.
   */
  async deleteAccount(userId: string, audit: AuditFor): Promise<boolean> {
    const deleted = await this.users.delete(userId, [domainEvent<UserDeleted>('users', 'user.deleted', { userId }), audit(userId)]);
    if (deleted) await this.refreshTokens.revokeAllOf(userId);
    return deleted;
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
    return this.startSession(credentials.user, undefined, audit);
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
    const [user] = await this.users.findByIds([redemption.userId]);
    if (!user) throw invalidCredentials('the account no longer exists');
    return this.startSession(user, { familyId: redemption.familyId, expiresAt: redemption.expiresAt }, audit);
  }

  logout(refreshToken: string, audit: AuditFor): Promise<boolean> {
    return this.refreshTokens.revokeByToken(refreshToken, (userId) => [audit(userId)]);
  }

  /** `audit`: the sign-in's audit event, written with its refresh token (none for a registration's: written with the user). */
  private async startSession(user: User, rotation?: { familyId: string; expiresAt: Date }, audit?: AuditFor): Promise<Session> {
    const [accessToken, refreshToken] = await Promise.all([
      this.accessTokens.sign({ userId: user.id, role: user.role }),
      this.refreshTokens.issue(user.id, rotation, audit ? [audit(user.id)] : []),
    ]);
    return { accessToken, accessTokenExpiresIn: this.accessTokens.ttlSeconds, refreshToken, user };
  }
}
