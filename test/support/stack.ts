import { randomBytes } from 'node:crypto';
import { freePort } from '../../engines/freePort';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { generateSigningSecret, RequestSigner } from '../../lib/auth/RequestSigner';
import { requestTarget } from '../../lib/postGraphQL';
import type { Subgraph } from '../../lib/subgraph';
import type { AuthConfig } from '../../lib/auth/authenticator';
import type { AccountsConfig } from '../../subgraphs/users/accountsConfig';
import type { DatabaseTimeouts } from '../../lib/databaseTimeouts';
import { Client } from 'pg';
import { connectMongo } from '../../lib/mongo';
import { gatewayConfigFromEnv } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { assertNoExecutorMismatches, testExecutorEnv } from './executorEnv';
import { createLogger, type LogLevel } from '../../lib/logger';
import { startSubgraph } from '../../lib/subgraph';
import type { RunningServer } from '../../lib/httpServer';
import { databaseUrl, ensureDatabase, prepareDatabase } from '../../prisma/migrate';
import { PostgresTransport } from '../../lib/events/PostgresTransport';
import { Metrics } from '../../lib/metrics/Metrics';
import type { EventTransport } from '../../lib/events/EventTransport';
import { SUBGRAPHS, type SubgraphName } from '../../schema/subgraphs';
import type { ServiceDatabases } from '../../scripts/seed';
import { createPaymentsSubgraph } from '../../subgraphs/payments/server';
import { createProfilesSubgraph } from '../../subgraphs/profiles/server';
import { createProjectsSubgraph } from '../../subgraphs/projects/server';
import { createTeamsSubgraph, type TeamsConfig, type TeamsStore } from '../../subgraphs/teams/server';
import type { MoveFollowerOptions } from '../../lib/storeMove/MoveFollower';
import type { UsersStore } from '../../subgraphs/users/server';
import { createUsersSubgraph, type UsersConfig } from '../../subgraphs/users/server';
import { startTracing, type TracingHandle } from '../../lib/tracing/tracing';
import { startRoundRobin, type RoundRobin } from './roundRobin';
import type { TracingConfig } from '../../lib/tracing/tracingConfig';


export interface GraphQLResponse<TData = Record<string, any>> {
  status: number;
  body: { data?: TData | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
}

export interface Stack {
  gatewayUrl: string;
  /** An app ADMIN's access token; `query` sends it unless the headers say otherwise. */
  adminToken: string;
  /** The signing keys of this stack's users service (tests mint odd tokens with them). */
  keys: { privateKey: string; publicKey: string };
  /** The domain-event transport the stack's services use. */
  events: EventTransport;
  /** How this stack's services verify credentials, for tests that build one more subgraph. */
  auth: AuthConfig;
  subgraphUrls: Record<SubgraphName, string>;
  databases: ServiceDatabases;
  /** What the teams service was started with (a test starts one more instance of it with this). */
  teamsConfig: TeamsConfig;
  /** What the users service was started with (its home store, and how it follows a move). */
  usersConfig: UsersConfig;
  /** With `teamsInstances` > 1: the round-robin front of the teams instances (connections per instance). */
  teamsFront: RoundRobin | null;
  /** The process's tracing while the stack runs (flush exports the finished spans now). */
  tracing: TracingHandle;
  /**
   * POSTs an operation to the gateway over real HTTP, as the stack's admin unless `headers` has an
   * `authorization` entry (an empty one sends no Authorization header: anonymous).
   */
  query<TData = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<TData>>;
  /** Stops one subgraph (to test how the rest of the graph copes). */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Database bounds for tests that prove no client request fails while something else happens (a
 * store move under load): on a loaded 2-core machine a FerretDB query queued behind a backfill can
 * pass the production bounds (5 s statement, 3 s connection) and answer SERVICE_UNAVAILABLE, which
 * is those bounds working, not the move failing; the bounds themselves are tested in
 * test/integration/databaseTimeouts.test.ts and test/e2e/databaseOutage.test.ts.
 */
export const PATIENT_DATABASE_TIMEOUTS: DatabaseTimeouts = Object.freeze({ statementMs: 20_000, connectMs: 15_000 });

export interface StackOptions {
  /** Called for every database query any subgraph makes. */
  onQuery?: (service: SubgraphName, detail: string) => void;
  logLevel?: LogLevel;
  /** The domain-event transport to use instead of this stack's own PostgreSQL one. */
  events?: () => Promise<EventTransport>;
  /** Overrides of the users service's account settings (token lifetimes, login throttling). */
  accounts?: Partial<AccountsConfig>;
  /** Gateway settings as environment variables (NODE_ENV, INTROSPECTION, SUPERGRAPH_FILE...). */
  gatewayEnv?: Record<string, string>;
  /**
   * Given, the gateway is not told where the subgraphs listen (no *_SUBGRAPH_URL) and calls them
   * at the routing URLs of its supergraph, as a deployment without overrides does: this is called
   * once the subgraphs listen, with their URLs, and writes the gateway's SUPERGRAPH_FILE.
   */
  writeSupergraph?: (subgraphUrls: Record<SubgraphName, string>) => Promise<void> | void;
  /** Every subgraph's bounds on its database (the defaults when not given). */
  databaseTimeouts?: DatabaseTimeouts;
  /** Where one service reaches its database instead (a proxy a test can cut); the others keep theirs. */
  databaseUrl?: (service: SubgraphName, url: string) => string;
  /** Tracing for every service of the stack (this process), from start to stop; off when not given. */
  tracing?: TracingConfig;
  /** Where the teams live: 'mongodb' (the default, as TEAMS_STORE's) or 'postgresql' (a migrated database of this stack's own). */
  teamsStore?: TeamsStore;
  /** Where the users live: 'mongodb' (the default, as USERS_STORE's) or 'postgresql' (a migrated database of this stack's own). */
  usersStore?: UsersStore;
  /**
   * Given, the teams service gets both of its stores (a MongoDB database and a migrated PostgreSQL
   * one; `teamsStore` is the home) and follows store moves with these options.
   */
  teamsMove?: MoveFollowerOptions;
  /** The same for the users service (`usersStore` is the home). */
  usersMove?: MoveFollowerOptions;
  /** How many instances of the teams service run (default 1); more sit behind a round-robin TCP front at the teams URL. */
  teamsInstances?: number;
}

/** Account settings for tests: the production defaults, with a login throttle tests can reach. */
export const TEST_ACCOUNTS: Omit<AccountsConfig, 'privateKey'> = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 3600,
  hashing: { concurrency: 2, queue: 64 },
  login: {
    maxFailuresPerAccountAndAddress: 5,
    maxFailuresPerAddress: 1000,
    maxFailuresPerAccount: 200,
    failureWindowSeconds: 900,
    backoffSeconds: 60,
    maxBackoffSeconds: 900,
    maxRegistrationsPerAddressPerHour: 100_000,
  },
};

export const TEST_PASSWORD = 'correct horse battery staple';

/** Registers an account through the gateway and makes it an app ADMIN (no API does that for the first admin). */
async function bootstrapAdmin(gatewayUrl: string, databases: ServiceDatabases, usersHome: UsersStore): Promise<string> {
  const email = `admin.${randomBytes(4).toString('hex')}@stack.test`;
  const registered = await graphqlPost<{ register: { user: { id: string } } }>(
    gatewayUrl,
    `mutation($input: RegisterInput!) { register(input: $input) { user { id } } }`,
    { input: { email, password: TEST_PASSWORD, name: 'Stack Admin' } },
  );
  const id = registered.body.data?.register.user.id;
  if (!id) throw new Error(`could not register the stack's admin: ${JSON.stringify(registered.body)}`);
  if (usersHome === 'postgresql') {
    // An ordinary row update: PostgreSQL locks the row, so it undoes none of the service's writes.
    const client = new Client({ connectionString: databases.usersUrl });
    await client.connect();
    await client.query(`UPDATE users SET role = 'ADMIN' WHERE id = $1`, [id]).finally(() => client.end());
  } else {
    await makeAdminOnMongo(databases, id);
  }
  const login = await graphqlPost<{ login: { accessToken: string } }>(
    gatewayUrl,
    `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { email, password: TEST_PASSWORD } },
  );
  const token = login.body.data?.login.accessToken;
  if (!token) throw new Error(`could not sign the stack's admin in: ${JSON.stringify(login.body)}`);
  return token;
}

async function makeAdminOnMongo(databases: ServiceDatabases, id: string): Promise<void> {
  const connection = await connectMongo(databases.mongoUrl, databases.usersDatabase);
  try {
    // This write bypasses the users service, so first let its outbox relay finish with the new
    // user's document: on FerretDB an update rewrites the whole document and would undo ours.
    const deadline = Date.now() + 15_000;
    while ((await connection.collection('users').findOne({ _id: id } as never))?.hasOutbox && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await connection.collection('users').updateOne({ _id: id } as never, { $set: { role: 'ADMIN' } });
  } finally {
    await connection.close();
  }
}

export function testEngines(): { postgresUrl: string; mongoUrl: string } {
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  const mongoUrl = process.env.TEST_MONGO_URL;
  if (!postgresUrl || !mongoUrl) throw new Error('TEST_POSTGRES_URL / TEST_MONGO_URL are not set: run through jest (globalSetup)');
  return { postgresUrl, mongoUrl };
}

/** Fresh, migrated databases of every service, named uniquely for one test file. */
export async function createDatabases(stores: { teams?: TeamsStore; users?: UsersStore; teamsBoth?: boolean; usersBoth?: boolean } = {}): Promise<ServiceDatabases> {
  const { postgresUrl, mongoUrl } = testEngines();
  const suffix = randomBytes(4).toString('hex');
  const [projectsUrl, paymentsUrl, profilesUrl, teamsUrl, usersUrl] = await Promise.all([
    prepareDatabase(postgresUrl, 'projects', `projects_${suffix}`),
    prepareDatabase(postgresUrl, 'payments', `payments_${suffix}`),
    prepareDatabase(postgresUrl, 'profiles', `profiles_${suffix}`),
    stores.teams === 'postgresql' || stores.teamsBoth ? prepareDatabase(postgresUrl, 'teams', `teams_${suffix}`) : undefined,
    stores.users === 'postgresql' || stores.usersBoth ? prepareDatabase(postgresUrl, 'users', `users_${suffix}`) : undefined,
  ]);
  return { mongoUrl, usersDatabase: `users_${suffix}`, teamsDatabase: `teams_${suffix}`, projectsUrl, paymentsUrl, profilesUrl, ...(teamsUrl ? { teamsUrl } : {}), ...(usersUrl ? { usersUrl } : {}) };
}

/** A new, empty PostgreSQL database on the test server (events, a legacy source, a migration state). */
export async function freshDatabase(prefix: string): Promise<string> {
  const { postgresUrl } = testEngines();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(postgresUrl, name);
  return databaseUrl(postgresUrl, name);
}

export async function dropDatabase(url: string): Promise<void> {
  const admin = new Client({ connectionString: testEngines().postgresUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Drops what createDatabases made, so long-lived test servers do not collect databases. */
export async function dropDatabases(databases: ServiceDatabases): Promise<void> {
  const { postgresUrl } = testEngines();
  const admin = new Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    for (const url of [databases.projectsUrl, databases.paymentsUrl, databases.profilesUrl, ...(databases.teamsUrl ? [databases.teamsUrl] : []), ...(databases.usersUrl ? [databases.usersUrl] : [])]) {
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
 * POSTs an operation straight to a subgraph signed with `secret`, as the gateway or another service
 * of the product does: what a process holding the shared secret (and the caller's credential in
 * `headers`) may ask, such as `_entities`. Unsigned, the internal fields are refused.
 */
export async function signedPost<TData>(
  secret: string,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const body = JSON.stringify({ query, variables });
  const all = { 'content-type': 'application/json', ...headers };
  const signature = new RequestSigner(secret).sign({ method: 'POST', path: requestTarget(url), body, headers: all });
  const response = await fetch(url, { method: 'POST', headers: { ...all, ...signature }, body });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<TData>['body'] };
}

/**
 * The whole product for one test file: five subgraphs, each on its own port over real HTTP with
 * its own real database, and the real gateway in front, all in this process.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const tracing = startTracing(options.tracing ?? null);
  const databases = await createDatabases({ teams: options.teamsStore, users: options.usersStore, teamsBoth: Boolean(options.teamsMove), usersBoth: Boolean(options.usersMove) });
  // Domain events travel through a PostgreSQL database of this stack's own (isolated from other
  // test files); a test can hand in another transport (a RabbitMQ of its own).
  const eventsUrl = await freshDatabase('events');
  const events = options.events ? await options.events() : await PostgresTransport.connect(eventsUrl, { pollIntervalMs: 50 });
  const keys = generateSigningKeys();
  // What the gateway and the services sign their requests to each other with: one per stack.
  const signingSecret = generateSigningSecret();
  const logger = (name: string) => createLogger(name, options.logLevel ?? 'silent');
  const onQuery = (service: SubgraphName) => (options.onQuery ? (detail: string) => options.onQuery!(service, detail) : undefined);
  const running = new Map<SubgraphName, RunningServer>();
  let teamsFront: RoundRobin | null = null;
  // Each service's own registry, as its own process would have (served at its /metrics).
  const registries = new Map<SubgraphName, Metrics>(SUBGRAPHS.map(({ name }) => [name, new Metrics()]));
  const stopAll = async () => {
    for (const server of [...running.values()].reverse()) await server.stop();
    running.clear();
  };
  try {
    const mongo = (service: SubgraphName) => {
      const hook = onQuery(service);
      const metrics = registries.get(service)!;
      // The outbox relay works in the background (it reads and clears `outbox`): not a request's queries.
      const relayWork = (args: unknown[]) => {
        try {
          return /outbox/i.test(JSON.stringify(args) ?? '');
        } catch {
          return false; // not plain data (a session...): an ordinary query
        }
      };
      // So is a consumer's: the audit log and what was processed.
      const consumerWork = (collection: string) => collection === 'audit_logs' || collection === 'processed_events';
      return hook
        ? { metrics, onQuery: (collection: string, method: string, args: unknown[]) => consumerWork(collection) || relayWork(args) || hook(`${collection}.${method}`) }
        : { metrics };
    };
    const prisma = (service: SubgraphName) => {
      const hook = onQuery(service);
      const metrics = registries.get(service)!;
      // The relay and the consumer work in the background too (outbox_events, processed_events),
      // and so do the readiness checks the gateway makes every few seconds (SELECT 1).
      const background = (sql: string) => /\b(outbox_events|processed_events)\b/.test(sql) || /^\s*SELECT 1\s*$/i.test(sql);
      return hook ? { metrics, onQuery: (sql: string) => background(sql) || hook(sql) } : { metrics };
    };
    // Ports first, so every service knows where the others are (users checks team tokens with
    // teams, teams asks users whether a user exists).
    const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async ({ name }) => [name, await freePort()]))) as Record<SubgraphName, number>;
    const urlOf = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
    const auth = { publicKey: keys.publicKey, teamsUrl: urlOf('teams'), signingSecret };
    const databaseTimeouts = options.databaseTimeouts;
    const at = (service: SubgraphName, url: string) => options.databaseUrl?.(service, url) ?? url;
    const start = async (name: SubgraphName, subgraph: Promise<Subgraph<any>>) => {
      running.set(name, await startSubgraph(await subgraph, ports[name], undefined, { metrics: registries.get(name)! }));
    };
    const usersHome: UsersStore = options.usersStore ?? 'mongodb';
    const usersConfig: UsersConfig = {
      store: usersHome,
      // Both stores only for a stack that moves the users: given both, the service follows moves.
      mongoUrl: usersHome === 'mongodb' || options.usersMove ? at('users', databases.mongoUrl) : '',
      database: databases.usersDatabase,
      ...(databases.usersUrl ? { databaseUrl: at('users', databases.usersUrl) } : {}),
      auth,
      accounts: { ...TEST_ACCOUNTS, privateKey: keys.privateKey, ...options.accounts },
      databaseTimeouts,
      ...(options.usersMove ? { move: options.usersMove } : {}),
    };
    await start(
      'users',
      createUsersSubgraph(
        usersConfig,
        logger('users'),
        mongo('users'),
        events,
        prisma('users'),
      ),
    );
    const teamsHome: TeamsStore = options.teamsStore ?? 'mongodb';
    const teamsConfig: TeamsConfig = {
      store: teamsHome,
      // Both stores only for a stack that moves the teams: given both, the service follows moves.
      mongoUrl: teamsHome === 'mongodb' || options.teamsMove ? at('teams', databases.mongoUrl) : '',
      database: databases.teamsDatabase,
      ...(databases.teamsUrl ? { databaseUrl: at('teams', databases.teamsUrl) } : {}),
      usersUrl: urlOf('users'),
      auth,
      databaseTimeouts,
      ...(options.teamsMove ? { move: options.teamsMove } : {}),
    };
    if ((options.teamsInstances ?? 1) === 1) {
      await start('teams', createTeamsSubgraph(teamsConfig, logger('teams'), mongo('teams'), events, prisma('teams')));
    } else {
      const instances: RunningServer[] = [];
      const stopInstances = async () => {
        for (const instance of instances.reverse()) await instance.stop();
      };
      try {
        for (let i = 0; i < options.teamsInstances!; i++) {
          const subgraph = await createTeamsSubgraph(teamsConfig, logger('teams'), mongo('teams'), events, prisma('teams'));
          instances.push(await startSubgraph(subgraph, await freePort(), undefined, { metrics: new Metrics() }));
        }
        const front = await startRoundRobin(ports.teams, instances.map((instance) => Number(new URL(instance.url).port)));
        teamsFront = front;
        running.set('teams', {
          url: urlOf('teams'),
          stop: async () => {
            await front.stop();
            await stopInstances();
          },
        });
      } catch (error) {
        await stopInstances();
        throw error;
      }
    }
    await start(
      'projects',
      createProjectsSubgraph({ databaseUrl: at('projects', databases.projectsUrl), usersUrl: urlOf('users'), teamsUrl: urlOf('teams'), auth, databaseTimeouts }, logger('projects'), prisma('projects'), events),
    );
    await start('payments', createPaymentsSubgraph({ databaseUrl: at('payments', databases.paymentsUrl), usersUrl: urlOf('users'), auth, databaseTimeouts }, logger('payments'), prisma('payments'), events));
    await start('profiles', createProfilesSubgraph({ databaseUrl: at('profiles', databases.profilesUrl), usersUrl: urlOf('users'), auth, databaseTimeouts }, logger('profiles'), prisma('profiles'), events));
    const subgraphUrls = Object.fromEntries([...running].map(([name, server]) => [name, server.url])) as Record<SubgraphName, string>;
    const urlVariables = options.writeSupergraph
      ? {}
      : Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, url]));
    await options.writeSupergraph?.(subgraphUrls);
    const gatewayConfig = gatewayConfigFromEnv({
      ...urlVariables,
      TEAMS_SUBGRAPH_URL: subgraphUrls.teams,
      JWT_PUBLIC_KEY: keys.publicKey,
      INTERNAL_SIGNING_SECRET: signingSecret,
      ...testExecutorEnv(),
      ...options.gatewayEnv,
      PORT: '0',
    });
    const gateway = await startGateway(gatewayConfig, logger('gateway'), events);
    const gatewayUrl = gateway.url;
    const adminToken = await bootstrapAdmin(gatewayUrl, databases, usersHome);
    return {
      gatewayUrl,
      adminToken,
      keys,
      auth,
      events,
      subgraphUrls,
      databases,
      teamsConfig,
      usersConfig,
      teamsFront,
      tracing,
      query: (query, variables, headers = {}) => {
        const { authorization = `Bearer ${adminToken}`, ...rest } = headers;
        return graphqlPost(gatewayUrl, query, variables, authorization ? { ...rest, authorization } : rest);
      },
      stopSubgraph: async (name) => {
        await running.get(name)?.stop();
        running.delete(name);
      },
      stop: async () => {
        await gateway.stop();
        await stopAll();
        await events.close();
        await dropDatabases(databases);
        await dropDatabase(eventsUrl);
        await tracing.stop();
        assertNoExecutorMismatches();
      },
    };
  } catch (error) {
    await stopAll();
    await events.close();
    await dropDatabases(databases);
    await dropDatabase(eventsUrl);
    await tracing.stop();
    throw error;
  }
}
