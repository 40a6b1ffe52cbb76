import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { GraphQLError } from 'graphql';
import { ANONYMOUS, type Identity } from '../../lib/auth/identity';
import type { RateLimitState } from './rateLimitHeaders';

const ADMITTED = Symbol('anonymousAdmission');

type Admitted = IncomingMessage & { [ADMITTED]?: RateLimitState | null };

/**
 * Counts a caller without a credential before its body is read: a flood over its limit is answered
 * 429 for the price of a header lookup, not a JSON parse, a GraphQL parse and Apollo Server's
 * request pipeline (a refusal there costs about ten times as much, which a closed-loop flood turns
 * into the gateway's time). The answer is the one the context would give (status, headers, body).
 * Callers with a credential are counted once it is verified, in the context.
 */
export function admitAnonymousEarly(
  admit: (identity: Identity, address: string) => Promise<RateLimitState | null>,
  /** Told of each request refused here (the gateway's metrics count it like any refused request). */
  onRefused: (req: IncomingMessage, error: GraphQLError) => void = () => undefined,
): RequestHandler {
  return (req, res, next) => {
    if (req.headers.authorization !== undefined) return next();
    admit(ANONYMOUS, req.socket.remoteAddress ?? 'unknown').then(
      (state) => {
        (req as Admitted)[ADMITTED] = state;
        next();
      },
      (error: GraphQLError) => {
        onRefused(req, error);
        const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: Map<string, string> } };
        for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
        res.status(http?.status ?? 429).json({ errors: [{ message: error.message, extensions }] });
      },
    );
  };
}

/** Whether `admitAnonymousEarly` counted this request, and where it stands; undefined when it did not. */
export function earlyAdmission(req: IncomingMessage): RateLimitState | null | undefined {
  const admitted = req as Admitted;
  return ADMITTED in admitted ? admitted[ADMITTED] : undefined;
}
