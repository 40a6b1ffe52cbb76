import { makeValidator } from 'envalid';
import { bool, cleanEnv, str, throwingReporter, url } from '../../lib/env';
import type { Identity } from '../../lib/auth/identity';

/** What one operation may ask for; each is checked before the query planner sees the operation. */
export interface OperationLimits {
  /** Lexical tokens of the whole document, counted by the parser itself, which stops at the limit. */
  maxTokens: number;
  /** Fields nested in one another (a root field is depth 1), fragments expanded. */
  maxDepth: number;
  /** Aliased fields in one operation, fragments expanded. */
  maxAliases: number;
  /** Fields at the root of one operation (the independent fetches it starts). */
  maxRootFields: number;
  /** Directives on one field, fragment spread or inline fragment. */
  maxDirectivesPerField: number;
  /** Nesting of one variable's value (objects and lists), from the variable itself. */
  maxVariableDepth: number;
}

/** The cost model: list sizes and weights come from the supergraph's `@listSize` / `@cost`. */
export interface CostLimits {
  /** The most an operation may cost, per kind of caller. */
  budgets: Record<Identity['kind'], number>;
  /** How many items a list field counts for when neither an argument nor `@listSize` says. */
  defaultListSize: number;
  /** No list counts for more items than this, whatever `first` says (the subgraphs refuse pages over 100). */
  maxListSize: number;
}

export interface RateLimits {
  /** Requests per window, per caller of each kind (0: no limit for that kind). */
  points: Record<Identity['kind'], number>;
  windowSeconds: number;
  /** Shared by every gateway replica when set; in memory (per process) otherwise. */
  redisUrl: string | null;
}

export interface PersistedOperationsConfig {
  /**
   * Automatic persisted queries (clients send a hash, and the text once), on unless a safelist is
   * given; kept in Apollo Server's cache, an LRU bounded at 30 MiB.
   */
  apq: boolean;
  /** A manifest of the only operations that run (Apollo's persisted-query manifest or Relay's map). */
  safelistFile: string | null;
}

export interface GuardsConfig {
  limits: OperationLimits;
  cost: CostLimits;
  rateLimits: RateLimits;
  persistedOperations: PersistedOperationsConfig;
}

/** A whole number of at least `minimum`; envalid's `num` would take 2.5 or -1. */
const atLeast = (minimum: number) =>
  makeValidator<number>((value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < minimum) throw new Error(`must be a whole number of at least ${minimum}`);
    return number;
  });
const limit = (defaultValue: number, desc: string, minimum = 1) => atLeast(minimum)({ default: defaultValue, desc });

/** The environment variables of the gateway's guards (gateway/config.ts reads them with its own). */
const guardsSpec = {
  MAX_TOKENS: limit(5000, 'Most lexical tokens in one GraphQL document (the parser stops there)'),
  MAX_DEPTH: limit(20, 'Deepest nesting of fields in one operation'),
  MAX_ALIASES: limit(30, 'Most aliased fields in one operation', 0),
  MAX_ROOT_FIELDS: limit(20, 'Most root fields in one operation'),
  MAX_DIRECTIVES_PER_FIELD: limit(5, 'Most directives on one field', 0),
  MAX_VARIABLE_DEPTH: limit(100, "Deepest nesting of one variable's value"),
  MAX_COST: limit(5000, 'Highest estimated cost of an operation for a signed-in user or a team token'),
  MAX_COST_ANONYMOUS: limit(1000, 'Highest estimated cost of an operation for a caller without a credential'),
  DEFAULT_LIST_SIZE: limit(20, 'How many items a list counts for when neither an argument nor @listSize says', 0),
  MAX_LIST_SIZE: limit(100, 'No list counts for more items than this in the estimate (the subgraphs refuse pages over 100)'),
  RATE_LIMIT_WINDOW_SECONDS: limit(60, 'The rate limits count requests per this many seconds'),
  RATE_LIMIT_ANONYMOUS: limit(600, 'Requests per window per client address without a credential (0: unlimited)', 0),
  RATE_LIMIT_USER: limit(1200, 'Requests per window per signed-in user (0: unlimited)', 0),
  RATE_LIMIT_TEAM: limit(1200, 'Requests per window per team API token (0: unlimited)', 0),
  REDIS_URL: url({ default: undefined, desc: 'Redis that gateway replicas share their rate limits in (in memory when unset)' }),
  APQ: bool({ default: true, desc: 'Automatic persisted queries (always off with SAFELIST_FILE)' }),
  SAFELIST_FILE: str({ default: undefined, desc: 'Only the operations in this manifest run (Apollo persisted-query manifest or Relay JSON map)' }),
};

export function guardsConfigFromEnv(environment: NodeJS.ProcessEnv): GuardsConfig {
  const env = cleanEnv(environment, guardsSpec, { reporter: throwingReporter });
  return Object.freeze({
    limits: Object.freeze({
      maxTokens: env.MAX_TOKENS,
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxRootFields: env.MAX_ROOT_FIELDS,
      maxDirectivesPerField: env.MAX_DIRECTIVES_PER_FIELD,
      maxVariableDepth: env.MAX_VARIABLE_DEPTH,
    }),
    cost: Object.freeze({
      budgets: Object.freeze({ anonymous: env.MAX_COST_ANONYMOUS, user: env.MAX_COST, team: env.MAX_COST }),
      defaultListSize: env.DEFAULT_LIST_SIZE,
      maxListSize: env.MAX_LIST_SIZE,
    }),
    rateLimits: Object.freeze({
      points: Object.freeze({ anonymous: env.RATE_LIMIT_ANONYMOUS, user: env.RATE_LIMIT_USER, team: env.RATE_LIMIT_TEAM }),
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      redisUrl: env.REDIS_URL ?? null,
    }),
    persistedOperations: Object.freeze({
      // Registering operations by hash would let anyone add to a safelist.
      apq: env.APQ && !env.SAFELIST_FILE,
      safelistFile: env.SAFELIST_FILE ?? null,
    }),
  });
}
