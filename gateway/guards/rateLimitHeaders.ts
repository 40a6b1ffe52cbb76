import type { ApolloServerPlugin } from '@apollo/server';
import type { Identity } from '../../lib/auth/identity';

/** Where one caller stands in its window, for the `RateLimit` / `RateLimit-Policy` headers. */
export interface RateLimitState {
  /** The policy's name: the kind of caller. */
  policy: Identity['kind'];
  limit: number;
  remaining: number;
  windowSeconds: number;
  /** Seconds until the window starts again. */
  resetSeconds: number;
}

/**
 * The headers of draft-ietf-httpapi-ratelimit-headers (structured fields: a named policy with its
 * quota `q` per window `w`; what remains `r` and the seconds `t` until it is reset), and
 * `Retry-After` when refused.
 */
export function rateLimitHeaders(state: RateLimitState, refused = false): Record<string, string> {
  return {
    'ratelimit-policy': `"${state.policy}";q=${state.limit};w=${state.windowSeconds}`,
    ratelimit: `"${state.policy}";r=${state.remaining};t=${state.resetSeconds}`,
    ...(refused ? { 'retry-after': String(state.resetSeconds) } : {}),
  };
}

/** Tells every admitted caller where it stands (a refused one gets the headers with its 429). */
export function rateLimitHeadersPlugin<TContext extends { rateLimit?: RateLimitState | null }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (!contextValue.rateLimit) return;
          for (const [name, value] of Object.entries(rateLimitHeaders(contextValue.rateLimit))) response.http.headers.set(name, value);
        },
      };
    },
  };
}
