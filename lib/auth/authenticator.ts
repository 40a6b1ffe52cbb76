import { GraphQLError } from 'graphql';
import type { Logger } from '../logger';
import { postGraphQL } from '../postGraphQL';
import { AccessTokenVerifier, publicKeyFrom } from './accessTokens';
import { ANONYMOUS, invalidCredentials, type Identity } from './identity';
import type { RevocationList } from './RevocationList';
import { RequestSigner } from './RequestSigner';

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Team API tokens look like `sft_<token id>_<secret>`; anything else is taken for an access token. */
export const TEAM_TOKEN_PREFIX = 'sft_';

export interface TeamTokenIdentity {
  teamId: string;
  tokenId: string;
}

/** Resolves a team API token to its team, or null when it is unknown, wrong or revoked. */
export type TeamTokenLookup = (token: string) => Promise<TeamTokenIdentity | null>;

/**
 * Turns an Authorization header into an Identity. Every service runs this itself (the gateway
 * too, before planning), so calling a subgraph directly grants nothing the gateway would not.
 * No header: anonymous. A header that is present but not a valid credential: UNAUTHENTICATED.
 */
export class Authenticator {
  constructor(
    private readonly accessTokens: AccessTokenVerifier,
    private readonly teamTokens: TeamTokenLookup,
    /** Tells requests from the gateway and the services (signed with the shared secret) from anyone else's. */
    readonly signer: RequestSigner,
    /**
     * Peers whose `x-client-ip` header is believed when their request is also signed (the
     * gateway); anyone else's address is its socket's.
     */
    readonly trustedProxies: ReadonlySet<string> = LOOPBACK,
  ) {}

  async identify(authorization: string | null): Promise<Identity> {
    if (authorization === null) return ANONYMOUS;
    // The scheme name is case-insensitive (RFC 9110); the token is what RFC 6750 allows.
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(authorization.trim());
    if (!match) throw invalidCredentials('the Authorization header must be "Bearer <token>"');
    const token = match[1]!;
    if (token.startsWith(TEAM_TOKEN_PREFIX)) {
      const team = await this.teamTokens(token);
      if (!team) throw invalidCredentials('the team token is not valid or has been revoked');
      return { kind: 'team', ...team };
    }
    const { userId, role } = await this.accessTokens.verify(token);
    return { kind: 'user', userId, role };
  }
}

const TEAM_TOKEN_QUERY = `query TeamToken($token: String!) { _teamTokenIdentity(token: $token) { teamId tokenId } }`;

/**
 * Team tokens are checked by the service that keeps them (teams), through its subgraph endpoint:
 * `_teamTokenIdentity` is @inaccessible, so it exists for services and not in the public graph.
 * Each check is a lookup, so a revoked token stops working at once.
 */
export function teamTokenLookupVia(teamsUrl: string, signer: RequestSigner, logger: Logger, timeoutMs = 5_000): TeamTokenLookup {
  return async (token) => {
    try {
      const data = await postGraphQL<{ _teamTokenIdentity: TeamTokenIdentity | null }>(teamsUrl, TEAM_TOKEN_QUERY, { token }, { signer, timeoutMs });
      return data._teamTokenIdentity;
    } catch (error) {
      logger.error('team token lookup failed', error);
      throw new GraphQLError('team tokens cannot be checked right now; try again shortly', {
        extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
      });
    }
  };
}

/** What a service needs to verify credentials: the users service's public key, and where team tokens are checked. */
export interface AuthConfig {
  /** Ed25519 public key (PEM) matching the users service's signing key. */
  publicKey: string;
  /** The teams subgraph, which checks team API tokens. */
  teamsUrl: string;
  /** Addresses of the gateway(s), whose `x-client-ip` header is believed (in signed requests); default loopback. */
  trustedProxies?: readonly string[];
  /** The secret the gateway and the services sign their requests to each other with (INTERNAL_SIGNING_SECRET). */
  signingSecret: string;
}

/** `revocations`: the process's list of ended sessions (lib/auth/revocationEvents.ts keeps it current). */
export function createAuthenticator(config: AuthConfig, logger: Logger, revocations?: RevocationList): Authenticator {
  const signer = new RequestSigner(config.signingSecret);
  return new Authenticator(
    new AccessTokenVerifier(publicKeyFrom(config.publicKey), revocations),
    teamTokenLookupVia(config.teamsUrl, signer, logger),
    signer,
    config.trustedProxies ? new Set(config.trustedProxies) : undefined,
  );
}
