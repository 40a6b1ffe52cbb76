import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../engines/freePort';
import { RABBITMQ } from '../../scripts/systemTools';

/** Where Debian's rabbitmq-server package puts the real scripts (/usr/sbin's wrappers `su` to the rabbitmq user). */
const RABBITMQ_BIN = dirname(RABBITMQ.binary);

export const RABBITMQ_MISSING = `RabbitMQ is not installed: the event transport tests need Debian's ${RABBITMQ.debianPackage} (npm test installs it when run as root; otherwise apt-get install -y ${RABBITMQ.debianPackage}), or ${RABBITMQ.instead}`;

export interface RabbitMqServer {
  url: string;
  node: string;
  /** Milliseconds from spawning to the AMQP port accepting connections. */
  startedInMs: number;
  stop(): Promise<void>;
}

export function rabbitMqInstalled(): boolean {
  return existsSync(join(RABBITMQ_BIN, 'rabbitmq-server'));
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A RabbitMQ node of its own for one test run: own node name, ports, data, logs and Erlang cookie,
 * all under `dir`, as the current user, so it cannot clash with a broker already on the machine
 * (only epmd, the Erlang port mapper on 4369, is shared; it stays up after, as it does normally).
 * `rabbitmq-diagnostics ping` succeeds before the AMQP port accepts connections, so this waits
 * for the port.
 */
/** Where a node listens and what it is called; give the same again to restart that node on its data. */
export interface RabbitMqIdentity {
  node: string;
  port: number;
  distPort: number;
}

export async function startRabbitMq(dir: string, timeoutMs = 60_000, identity?: RabbitMqIdentity): Promise<RabbitMqServer & { identity: RabbitMqIdentity }> {
  if (!rabbitMqInstalled()) throw new Error(RABBITMQ_MISSING);
  mkdirSync(dir, { recursive: true });
  const [port, distPort] = identity ? [identity.port, identity.distPort] : [await freePort(), await freePort()];
  const node = identity?.node ?? `schemaflow-test-${randomBytes(3).toString('hex')}@localhost`;
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), ''); // instead of /etc/rabbitmq/rabbitmq-env.conf
  const env = {
    ...process.env,
    HOME: dir, // the Erlang cookie, shared with rabbitmqctl below
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
  };
  const log = openSync(join(dir, 'server.log'), 'a');
  const started = Date.now();
  const child = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], { env, stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.unref();
  const stop = async () => {
    if (exited) return;
    try {
      await promisify(execFile)(join(RABBITMQ_BIN, 'rabbitmqctl'), ['-n', node, 'stop'], { env, timeout: 30_000 });
    } catch {
      if (child.pid) process.kill(-child.pid, 'SIGKILL'); // its own process group: the node and its helpers
    }
  };
  while (!(await portOpen(port))) {
    if (exited) throw new Error(`rabbitmq-server ${exited} before listening; see ${join(dir, 'server.log')}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`rabbitmq-server did not listen on ${port} within ${timeoutMs} ms; see ${join(dir, 'server.log')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `amqp://guest:guest@127.0.0.1:${port}`, node, startedInMs: Date.now() - started, stop, identity: { node, port, distPort } };
}

/** The broker for this test run (TEST_AMQP_URL, set by globalSetup); fails, never skips, when there is none. */
export function testAmqpUrl(): string {
  const url = process.env.TEST_AMQP_URL;
  if (!url) throw new Error(process.env.TEST_AMQP_MISSING ?? RABBITMQ_MISSING);
  return url;
}
