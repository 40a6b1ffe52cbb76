import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../engines/freePort';
import { generateSigningSecret } from '../../../lib/auth/RequestSigner';
import { BenchProcess } from './BenchProcess';
import { GATEWAY_NODE_FLAGS } from '../../../gateway/nodeFlags';

/** The gateways the benchmark compares, in the order they are printed. */
export const GATEWAY_IDS = ['ours', 'ours-unbatched', 'ours-baseline', 'stock', 'hive', 'hive-router'] as const;
export type GatewayId = (typeof GATEWAY_IDS)[number];

export const GATEWAY_LABELS: Record<GatewayId, string> = {
  ours: 'ours',
  'ours-unbatched': 'ours, GATEWAY_FETCH_BATCHING=off',
  'ours-baseline': 'ours at BENCH_BASELINE_CHECKOUT',
  stock: 'stock @apollo/gateway + @apollo/server',
  hive: 'Hive Gateway',
  'hive-router': 'Hive Gateway + router-runtime (Rust planner)',
};

export interface RunningGateway {
  id: GatewayId;
  url: string;
  process: BenchProcess;
}

const ROOT = join(__dirname, '..', '..', '..');
/** Our gateway's benchmark entry, relative to a checkout. */
const OURS_MAIN = join('scripts', 'bench', 'gateway', 'gateways', 'oursMain.ts');
const HIVE_CLI = join(ROOT, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
const HIVE_CONFIG = join(__dirname, 'gateways', 'hive', 'gateway.config.mjs');

/** What a gateway is started with. */
export interface GatewayInputs {
  supergraphFile: string;
  /** The public key of the benchmark's access tokens (our gateway verifies them at the edge). */
  publicKey: string;
  /**
   * The secret the product's services check signatures with (the dashboard's real subgraphs
   * answer `_entities` only to signed requests); every gateway signs when it is given.
   */
  signingSecret?: string;
  /** More settings for our gateway (where team tokens are checked, on the real stack). */
  oursEnv?: Record<string, string>;
  /**
   * `ours-baseline`: our gateway from another checkout of this repository (say a worktree of main
   * before a change; its `npm ci` done, or a `node_modules` link), to measure a change against
   * what it changes in one run.
   */
  baselineCheckout?: string;
}

/**
 * Only what a gateway needs from this process's environment: nothing that could turn on
 * reporting, managed federation, tracing or a config file of someone else's.
 */
function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NO_COLOR: '1', APOLLO_TELEMETRY_DISABLED: 'true' };
}

/** Why a gateway cannot run on this machine with these inputs, or null. */
export function unavailableReason(id: GatewayId, { baselineCheckout }: GatewayInputs): string | null {
  if (id === 'ours-baseline') {
    if (!baselineCheckout) return 'BENCH_BASELINE_CHECKOUT names no checkout';
    return existsSync(join(baselineCheckout, OURS_MAIN)) ? null : `${join(baselineCheckout, OURS_MAIN)} does not exist`;
  }
  if (id !== 'hive-router') return null;
  try {
    require.resolve('@graphql-hive/router-runtime');
    return null;
  } catch {
    return '@graphql-hive/router-runtime is not installed';
  }
}

/** Our gateway needs a signing secret even in front of subgraphs that check none (the standard scenario). */
const UNCHECKED_SECRET = generateSigningSecret();

function command(id: GatewayId, port: number, inputs: GatewayInputs): { args: string[]; env: NodeJS.ProcessEnv; cwd: string } {
  const signing: Record<string, string> = inputs.signingSecret ? { INTERNAL_SIGNING_SECRET: inputs.signingSecret } : {};
  const tsEntry = (file: string) => ['--import', 'tsx', join(__dirname, 'gateways', file)];
  switch (id) {
    case 'ours':
    case 'ours-unbatched':
    case 'ours-baseline': {
      const checkout = id === 'ours-baseline' ? inputs.baselineCheckout! : ROOT;
      return {
        // Started as gateway/main.ts is everywhere (gateway/nodeFlags.ts; the baseline's own flags are not read).
        args: [...GATEWAY_NODE_FLAGS, '--import', 'tsx', join(checkout, OURS_MAIN)],
        env: {
          ...baseEnv(),
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'error',
          SUPERGRAPH_FILE: inputs.supergraphFile,
          JWT_PUBLIC_KEY: inputs.publicKey,
          INTERNAL_SIGNING_SECRET: UNCHECKED_SECRET,
          ...signing,
          ...inputs.oursEnv,
          // Every fetch alone, as Apollo's plan runs it: what batching saves, in the same run.
          ...(id === 'ours-unbatched' ? { GATEWAY_FETCH_BATCHING: 'off' } : {}),
        },
        cwd: checkout,
      };
    }
    case 'stock':
      return { args: tsEntry('stockMain.ts'), env: { ...baseEnv(), PORT: String(port), SUPERGRAPH_FILE: inputs.supergraphFile, ...signing }, cwd: ROOT };
    case 'hive':
    case 'hive-router':
      return {
        args: [
          HIVE_CLI,
          'supergraph',
          inputs.supergraphFile,
          '--config-path',
          HIVE_CONFIG,
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          // One process: the figures are per core.
          '--fork',
          '1',
          '--disable-websockets',
          ...(id === 'hive-router' ? ['--hive-router-runtime'] : []),
        ],
        env: { ...baseEnv(), LOG_LEVEL: 'warn', ...signing },
        cwd: join(__dirname, 'gateways', 'hive'),
      };
  }
}

/** Resolves once the gateway answers a GraphQL request; rejects with its log if it cannot. */
async function untilAnswering(url: string, child: BenchProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child.alive) throw new Error(`${child.name} exited while starting:\n${child.output()}`);
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (response.ok && ((await response.json()) as { data?: { __typename?: string } }).data?.__typename === 'Query') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not answer within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startBenchGateway(id: GatewayId, inputs: GatewayInputs): Promise<RunningGateway> {
  const port = await freePort();
  const { args, env, cwd } = command(id, port, inputs);
  const child = BenchProcess.node(GATEWAY_LABELS[id], args, { env, cwd });
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await untilAnswering(url, child, 120_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { id, url, process: child };
}
