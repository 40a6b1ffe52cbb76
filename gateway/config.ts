import { bool, cleanEnv, logLevel, port, str, url } from '../lib/env';
import type { LogLevel } from '../lib/logger';
import { defaultUrl, SUPERGRAPH_FILE, type SubgraphName } from '../schema/subgraphs';

/** Everything the gateway process is configured with, parsed once at start. */
export interface GatewayConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** The composed supergraph to serve (and watch for changes). */
  supergraphFile: string;
  /** Where each subgraph really listens; overrides the URL recorded in the supergraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** NODE_ENV=production: introspection and the landing page default to off. */
  production: boolean;
  /** Whether clients may introspect the schema (Sandbox, Studio and GraphiQL need it). */
  introspection: boolean;
  /** Whether the landing page (Apollo Sandbox) and the offline explorer are served. */
  explorer: boolean;
  /** Apollo GraphOS: with a key, schema and usage reporting; with a graph ref too, managed federation. */
  apollo: { key: string; graphRef: string | null } | null;
}

export function gatewayConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = cleanEnv(environment, {
    PORT: port({ default: 4000, desc: 'TCP port to listen on (0 picks a free port)' }),
    HOST: str({ default: '127.0.0.1', desc: 'Interface to listen on' }),
    LOG_LEVEL: logLevel({ default: 'info' }),
    NODE_ENV: str({ default: 'development' }),
    SUPERGRAPH_FILE: str({ default: SUPERGRAPH_FILE, desc: 'The composed supergraph to serve' }),
    USERS_SUBGRAPH_URL: url({ default: defaultUrl('users') }),
    TEAMS_SUBGRAPH_URL: url({ default: defaultUrl('teams') }),
    PROJECTS_SUBGRAPH_URL: url({ default: defaultUrl('projects') }),
    PAYMENTS_SUBGRAPH_URL: url({ default: defaultUrl('payments') }),
    PROFILES_SUBGRAPH_URL: url({ default: defaultUrl('profiles') }),
    INTROSPECTION: bool({ default: undefined, desc: 'Allow introspection (default: on outside production)' }),
    EXPLORER: bool({ default: undefined, desc: 'Serve the landing page and offline explorer (default: on outside production)' }),
    APOLLO_KEY: str({ default: undefined, desc: 'Apollo GraphOS key: turns on schema and usage reporting' }),
    APOLLO_GRAPH_REF: str({ default: undefined, desc: 'graph@variant: with APOLLO_KEY, managed federation' }),
  });
  const production = env.NODE_ENV === 'production';
  return Object.freeze({
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    supergraphFile: env.SUPERGRAPH_FILE,
    subgraphUrls: {
      users: env.USERS_SUBGRAPH_URL,
      teams: env.TEAMS_SUBGRAPH_URL,
      projects: env.PROJECTS_SUBGRAPH_URL,
      payments: env.PAYMENTS_SUBGRAPH_URL,
      profiles: env.PROFILES_SUBGRAPH_URL,
    },
    production,
    introspection: env.INTROSPECTION ?? !production,
    explorer: env.EXPLORER ?? !production,
    apollo: env.APOLLO_KEY ? { key: env.APOLLO_KEY, graphRef: env.APOLLO_GRAPH_REF ?? null } : null,
  });
}
