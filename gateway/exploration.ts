import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Express } from 'express';
import type { GatewayConfig } from './config';

/**
 * Everything about exploring the graph, decided by the gateway's config:
 *
 * - `config.explorer`: the landing page at GET /graphql (Accept: text/html) is Apollo Sandbox,
 *   GET / leads there, and /explorer serves GraphiQL. Sandbox loads its code from Apollo's servers;
 *   GraphiQL comes whole from `@graphql-yoga/render-graphiql` (scripts, styles, web workers and
 *   favicon inlined in one page), so it also works without internet. Off: no landing page (a
 *   browser gets an ordinary GraphQL error), and / and /explorer are 404.
 * - `config.introspection` is applied by `buildGatewayServer` (ApolloServer's `introspection`).
 * - `config.apollo`: usage reporting to Apollo Studio. Without a key nothing leaves the process
 *   (see also `turnOffGatewayTelemetry`).
 */

/** Where the offline explorer is served. */
export const EXPLORER_PATH = '/explorer';
/** Where serveHttp mounts GraphQL (and so Apollo Server's landing page). */
const GRAPHQL_PATH = '/graphql';

/**
 * The explorer page may talk to this gateway only: whatever GraphiQL might try to load from
 * elsewhere is refused by the browser. GraphiQL inlines its code and starts its editor workers
 * from blob: URLs; its styles are inline.
 */
const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' blob:",
  'worker-src blob:',
  "style-src 'unsafe-inline'",
  'img-src data:',
  'font-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/** What a new explorer tab starts with. */
const DEFAULT_QUERY = `# SchemaFlow: users, teams, projects, payments and profiles behind one endpoint.
# Run with Ctrl-Enter; the Docs pane (book icon) describes every type and field.
query Users {
  users(first: 5) {
    edges { node { id name email } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/**
 * The Apollo Server plugins for the landing page and for reporting to Apollo Studio. Each feature
 * is installed or explicitly disabled, so Apollo Server adds nothing on its own (it would otherwise
 * read APOLLO_KEY / APOLLO_SCHEMA_REPORTING from the environment and pick a landing page from
 * NODE_ENV behind the config's back).
 */
export function explorationPlugins(config: GatewayConfig): ApolloServerPlugin[] {
  const plugins: ApolloServerPlugin[] = [];

  plugins.push(
    config.explorer
      ? ApolloServerPluginLandingPageLocalDefault({
          // Sandbox embedded in the page, pointed at this endpoint. Its own telemetry to Apollo is
          // off: what the gateway reports is decided by APOLLO_KEY, below.
          embed: { runTelemetry: false },
          includeCookies: false,
          document: DEFAULT_QUERY,
        })
      : ApolloServerPluginLandingPageDisabled(),
  );

  if (config.apollo) {
    plugins.push(ApolloServerPluginUsageReporting());
  } else {
    plugins.push(ApolloServerPluginUsageReportingDisabled());
  }

  // Schema reporting does not support federated graphs (Apollo's docs: publish subgraph schemas with
  // `rover subgraph publish` instead, which is also what managed federation composes from). Disabled
  // explicitly so APOLLO_SCHEMA_REPORTING=true in the environment cannot turn it on.
  plugins.push(ApolloServerPluginSchemaReportingDisabled());

  return plugins;
}

/**
 * @apollo/gateway (2.x) sends anonymous metrics of its own to Apollo (usage-reporting.api.apollographql.com:
 * uptime, CPU, memory) from every ApolloGateway it constructs, after probing the cloud metadata
 * endpoints of AWS, GCP, Azure and Alibaba. That is neither usage nor schema reporting and nobody
 * asked for it: off, always. Its only switch is this environment variable, read by the
 * ApolloGateway constructor, so it must be set before any gateway is made.
 */
export function turnOffGatewayTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}

/**
 * The GraphiQL page, rendered once (about 9 MB: GraphiQL, React and Monaco are inlined). Rendered
 * on first use so a gateway with the explorer off never builds it.
 */
let explorerHtml: string | null = null;
function renderExplorer(): string {
  explorerHtml ??= renderGraphiQL({
    title: 'SchemaFlow explorer',
    endpoint: GRAPHQL_PATH,
    defaultQuery: DEFAULT_QUERY,
    // Authorization typed into the headers pane stays in the tab, not in localStorage.
    shouldPersistHeaders: false,
  });
  return explorerHtml;
}

/** Routes for serveHttp's `routes` hook: GET / and the offline explorer. */
export function explorationRoutes(config: GatewayConfig): (app: Express) => void {
  return (app) => {
    if (!config.explorer) return;
    // The landing page is the one Apollo Server renders at the GraphQL endpoint for browsers.
    app.get('/', (_req, res) => {
      res.redirect(302, GRAPHQL_PATH);
    });
    app.get(EXPLORER_PATH, (_req, res) => {
      res.set('Content-Security-Policy', EXPLORER_CSP);
      res.set('Cache-Control', 'no-cache');
      res.type('html').send(renderExplorer());
    });
  };
}
