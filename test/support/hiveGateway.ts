import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../../engines/freePort';
import { descendants, isAlive } from './processTree';

/**
 * Hive Gateway (`@graphql-hive/gateway`, The Guild's Federation 2 gateway, independent of Apollo's
 * code) run as its own CLI in a child process: `hive-gateway supergraph <file> --port --host`.
 */
const CLI = join(__dirname, '..', '..', 'node_modules', '.bin', 'hive-gateway');
const SIGNING_PLUGIN = pathToFileURL(join(__dirname, '..', '..', 'gateway', 'hive', 'signingPlugin.mjs')).href;

export interface HiveGateway {
  /** Its GraphQL endpoint. */
  url: string;
  pid: number;
  /** Everything it printed so far (its logs, uncoloured). */
  output(): string;
  /** Stops it (SIGTERM to its process group, SIGKILL after 5 s) and checks that no process is left. */
  stop(): Promise<void>;
}

/**
 * Settings Hive Gateway reads from the environment that could make it reach the internet or change
 * how it serves (Apollo managed federation / uplink, Hive registry, CDN and usage reporting,
 * OpenTelemetry exporters, a config file, workers): none of them may leak in from the caller.
 */
const INHERITED_SETTINGS = /^(APOLLO_|HIVE_|OPENTELEMETRY|OTEL_|DEV_)|^(PORT|HOST|FORK|CONFIG_PATH|POLLING|JIT|LOG_LEVEL|DEBUG|NODE_OPTIONS)$/;

/** Every Hive Gateway started by this process, so that even a crashed test leaves none behind. */
const started = new Set<number>();
process.once('exit', () => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export async function startHiveGateway(
  supergraphSdl: string,
  /** The stack's INTERNAL_SIGNING_SECRET: Hive signs its subgraph fetches with it, as the gateway does. */
  signingSecret: string,
  options: { startTimeoutMs?: number } = {},
): Promise<HiveGateway> {
  // Its own working directory: the CLI picks up a gateway.{ts,js,...} config file from the cwd,
  // and ours only says what our gateway's SubgraphDataSource says: which client headers travel on
  // (Hive forwards none by default; every subgraph verifies the caller's token itself).
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-hive-'));
  const supergraphFile = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphFile, supergraphSdl);
  writeFileSync(
    join(dir, 'gateway.config.mjs'),
    `import { signingPlugin } from ${JSON.stringify(SIGNING_PLUGIN)};

export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get('authorization') ?? undefined,
      'x-request-id': request.headers.get('x-request-id') ?? undefined,
    }),
  },
  // Signed subgraph fetches, as our gateway makes them (the subgraphs answer _entities only then).
  plugins: () => [signingPlugin(process.env.INTERNAL_SIGNING_SECRET)],
};
`,
  );
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_SETTINGS.test(name)));
  const child = spawn(
    process.execPath,
    [CLI, 'supergraph', supergraphFile, '--port', String(port), '--host', '127.0.0.1', '--fork', '1', '--disable-websockets'],
    {
      cwd: dir,
      env: { ...env, INTERNAL_SIGNING_SECRET: signingSecret, NODE_ENV: 'production', NO_COLOR: '1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that stop() reaches any worker it might fork.
      detached: true,
    },
  );
  started.add(child.pid!);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      started.delete(child.pid!);
      resolve();
    }),
  );

  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    const tree = [child.pid!, ...descendants(child.pid!)];
    if (exitCode === undefined) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    // Its workers (if any) die with it; wait briefly for the kernel to reap them.
    for (let i = 0; i < 50 && tree.some(isAlive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    rmSync(dir, { recursive: true, force: true });
    const left = tree.filter(isAlive);
    if (left.length > 0) throw new Error(`Hive Gateway left processes behind: ${left.join(', ')}`);
  };

  // Up when it answers its readiness endpoint; a start failure shows its own log.
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`Hive Gateway exited with ${exitCode} while starting:\n${output}`);
    try {
      const response = await fetch(`${origin}/readiness`);
      if (response.ok && /Listening on/.test(output)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Hive Gateway did not become ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `${origin}/graphql`, pid: child.pid!, output: () => output, stop };
}
