import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../engines/freePort';

/** Debian's redis-server package. */
export const REDIS_SERVER = '/usr/bin/redis-server';

export const REDIS_MISSING = `Redis is not installed: the shared rate limit tests need Debian's redis-server (${REDIS_SERVER}; apt-get install -y redis-server)`;

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
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
 * A redis-server of the test's own: a free port on 127.0.0.1, working directory in a temporary
 * folder, nothing persisted (no RDB snapshots, no AOF). Fails, naming the package, when Redis is
 * not installed: a test that needs it must not pass without it.
 */
export async function startRedis(timeoutMs = 10_000): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error(REDIS_MISSING);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= stopOnce());
  const stopOnce = async () => {
    if (exited === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(port))) {
    if (exited !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port} (${exited ?? 'timed out'}): ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop };
}
