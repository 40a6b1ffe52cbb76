import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connectMongo } from '../../lib/mongo';
import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { createLogger, type LogLevel } from '../../lib/logger';
import { startSubgraph } from '../../lib/subgraph';
import type { RunningServer } from '../../lib/httpServer';
import { prepareDatabase } from '../../prisma/migrate';
import type { SubgraphName } from '../../schema/subgraphs';
import type { ServiceDatabases } from '../../scripts/seed';
import { createPaymentsSubgraph } from '../../subgraphs/payments/server';
import { createProfilesSubgraph } from '../../subgraphs/profiles/server';
import { createProjectsSubgraph } from '../../subgraphs/projects/server';
import { createTeamsSubgraph } from '../../subgraphs/teams/server';
import { createUsersSubgraph } from '../../subgraphs/users/server';


export interface GraphQLResponse<TData = Record<string, any>> {
  status: number;
  body: { data?: TData | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
}

export interface Stack {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  databases: ServiceDatabases;
  /** POSTs an operation to the gateway over real HTTP. */
  query<TData = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  /** Stops one subgraph (to test how the rest of the graph copes). */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Called for every database query any subgraph makes. */
  onQuery?: (service: SubgraphName, detail: string) => void;
  logLevel?: LogLevel;
  /** Gateway settings as environment variables (NODE_ENV, INTROSPECTION, SUPERGRAPH_FILE...). */
  gatewayEnv?: Record<string, string>;
  /**
   * Given, the gateway is not told where the subgraphs listen (no *_SUBGRAPH_URL) and calls them
   * at the routing URLs of its supergraph, as a deployment without overrides does: this is called
   * once the subgraphs listen, with their URLs, and writes the gateway's SUPERGRAPH_FILE.
   */
  writeSupergraph?: (subgraphUrls: Record<SubgraphName, string>) => Promise<void> | void;
}

export function testEngines(): { postgresUrl: string; mongoUrl: string } {
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  const mongoUrl = process.env.TEST_MONGO_URL;
  if (!postgresUrl || !mongoUrl) throw new Error('TEST_POSTGRES_URL / TEST_MONGO_URL are not set: run through jest (globalSetup)');
  return { postgresUrl, mongoUrl };
}

/** Fresh, migrated databases of every service, named uniquely for one test file. */
export async function createDatabases(): Promise<ServiceDatabases> {
  const { postgresUrl, mongoUrl } = testEngines();
  const suffix = randomBytes(4).toString('hex');
  const [projectsUrl, paymentsUrl, profilesUrl] = await Promise.all([
    prepareDatabase(postgresUrl, 'projects', `projects_${suffix}`),
    prepareDatabase(postgresUrl, 'payments', `payments_${suffix}`),
    prepareDatabase(postgresUrl, 'profiles', `profiles_${suffix}`),
  ]);
  return { mongoUrl, usersDatabase: `users_${suffix}`, teamsDatabase: `teams_${suffix}`, projectsUrl, paymentsUrl, profilesUrl };
}

/** Drops what createDatabases made, so long-lived test servers do not collect databases. */
export async function dropDatabases(databases: ServiceDatabases): Promise<void> {
  const { postgresUrl } = testEngines();
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    for (const url of [databases.projectsUrl, databases.paymentsUrl, databases.profilesUrl]) {
      const name = new URL(url).pathname.slice(1);
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  for (const name of [databases.usersDatabase, databases.teamsDatabase]) {
    const connection = await connectMongo(databases.mongoUrl, name);
    try {
      await connection.dropDatabase();
    } finally {
      await connection.close();
    }
  }
}

export async function graphqlPost<TData>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<TData>['body'] };
}

/**
 * The whole product for one test file: five subgraphs, each on its own port over real HTTP with
 * its own real database, and the real gateway in front, all in this process.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const databases = await createDatabases();
  const logger = (name: string) => createLogger(name, options.logLevel ?? 'silent');
  const onQuery = (service: SubgraphName) => (options.onQuery ? (detail: string) => options.onQuery!(service, detail) : undefined);
  const running = new Map<SubgraphName, RunningServer>();
  const stopAll = async () => {
    for (const server of [...running.values()].reverse()) await server.stop();
    running.clear();
  };
  try {
    const mongo = (service: SubgraphName) => {
      const hook = onQuery(service);
      return hook ? { onQuery: (collection: string, method: string) => hook(`${collection}.${method}`) } : {};
    };
    const prisma = (service: SubgraphName) => {
      const hook = onQuery(service);
      return hook ? { onQuery: hook } : {};
    };
    const users = await startSubgraph(
      await createUsersSubgraph({ mongoUrl: databases.mongoUrl, database: databases.usersDatabase }, logger('users'), mongo('users')),
      0,
    );
    running.set('users', users);
    const teams = await startSubgraph(
      await createTeamsSubgraph(
        { mongoUrl: databases.mongoUrl, database: databases.teamsDatabase, usersUrl: users.url },
        logger('teams'),
        mongo('teams'),
      ),
      0,
    );
    running.set('teams', teams);
    running.set(
      'projects',
      await startSubgraph(
        await createProjectsSubgraph(
          { databaseUrl: databases.projectsUrl, usersUrl: users.url, teamsUrl: teams.url },
          logger('projects'),
          prisma('projects'),
        ),
        0,
      ),
    );
    running.set(
      'payments',
      await startSubgraph(
        await createPaymentsSubgraph({ databaseUrl: databases.paymentsUrl, usersUrl: users.url }, logger('payments'), prisma('payments')),
        0,
      ),
    );
    running.set(
      'profiles',
      await startSubgraph(
        await createProfilesSubgraph({ databaseUrl: databases.profilesUrl, usersUrl: users.url }, logger('profiles'), prisma('profiles')),
        0,
      ),
    );
    const subgraphUrls = Object.fromEntries([...running].map(([name, server]) => [name, server.url])) as Record<SubgraphName, string>;
    const urlVariables = options.writeSupergraph
      ? {}
      : Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, url]));
    await options.writeSupergraph?.(subgraphUrls);
    const gatewayConfig = gatewayConfigFromEnv({ ...urlVariables, ...options.gatewayEnv, PORT: '0' });
    const gateway = await startGateway(gatewayConfig, logger('gateway'));
    const gatewayUrl = gateway.url;
    return {
      gatewayUrl,
      subgraphUrls,
      databases,
      query: (query, variables, headers) => graphqlPost(gatewayUrl, query, variables, headers),
      stopSubgraph: async (name) => {
        await running.get(name)?.stop();
        running.delete(name);
      },
      stop: async () => {
        await gateway.stop();
        await stopAll();
        await dropDatabases(databases);
      },
    };
  } catch (error) {
    await stopAll();
    await dropDatabases(databases);
    throw error;
  }
}
