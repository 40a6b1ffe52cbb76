import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';
import type { Express } from 'express';
import type { GatewayConfig } from './config';
import { serveExplorer } from './pages/explorerPage';

/**
 * Everything about exploring the graph, decided by the gateway's config:
 *
 * - `config.explorer`: the landing page at GET /graphql (Accept: text/html) is Apollo Sandbox,
 *   GET / leads there, and /explorer serves GraphiQL. Sandbox loads its code from Apollo's servers;
 *   GraphiQL comes whole from `@graphql-yoga/render-graphiql`, served by this gateway (its bundle
 *   split into compressed, hashed assets: gateway/pages/explorerPage.ts), so it also works
 *   without internet. Off: no landing page (a
 *   browser gets an ordinary GraphQL error), and / and /explorer are 404.
 * - `config.introspection` is applied by `buildGatewayServer` (ApolloServer's `introspection`).
 * - `config.apollo`: usage reporting to Apollo Studio. Without a key nothing leaves the process
 *   (see also `turnOffGatewayTelemetry`).
 */

/** Where the offline explorer is served. */
export const EXPLORER_PATH = '/explorer';
/** Where serveHttp mounts GraphQL (and so Apollo Server's landing page). */
const GRAPHQL_PATH = '/graphql';

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

/** Routes for serveHttp's `routes` hook: GET / and the offline explorer (gateway/pages/explorerPage.ts). */
export function explorationRoutes(config: GatewayConfig): (app: Express) => void {
  return (app) => {
    if (!config.explorer) return;
    // The landing page is the one Apollo Server renders at the GraphQL endpoint for browsers.
    app.get('/', (_req, res) => {
      res.redirect(302, GRAPHQL_PATH);
    });
    serveExplorer(app, EXPLORER_PATH, () =>
      // Required on first use, not imported: the module is ~9 MB of GraphiQL source, held in memory
      // by every gateway that loads it (and its parse grows the loader's memory by ~36 MB more).
      (require('@graphql-yoga/render-graphiql') as typeof import('@graphql-yoga/render-graphiql')).renderGraphiQL({
        title: 'SchemaFlow explorer',
        endpoint: GRAPHQL_PATH,
        defaultQuery: DEFAULT_QUERY,
        // Authorization typed into the headers pane stays in the tab, not in localStorage.
        shouldPersistHeaders: false,
      }),
    );
  };
}
