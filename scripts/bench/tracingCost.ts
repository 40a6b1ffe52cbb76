import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { generateSigningSecret } from '../../lib/auth/RequestSigner';
import { serveHttp, type RunningServer } from '../../lib/httpServer';
import { createLogger } from '../../lib/logger';
import { composeSupergraph } from '../../schema/composeSupergraph';

/**
 * What tracing costs the gateway: gateway CPU time per request with every trace exported over
 * OTLP (sampler always on: the worst case), with a share of the traces kept (a ratio sampler,
 * `--ratio`, default 0.1) and with tracing off, for the same query through the
 * same gateway code in front of two in-memory subgraphs (a list and an entity join: two fetches
 * per request). Each gateway is its own process pinned to one core (taskset); the subgraphs, the
 * OTLP receiver and the load generator share the other. Rounds rotate the order so drift on this
 * shared machine hits all alike; the medians are compared. CPU is read from /proc/<pid>/stat.
 *
 *   npm run bench:tracing [-- --requests 3000 --rounds 6 --connections 8 --ratio 0.1 --cpu-prof DIR]
 *
 * `--cpu-prof DIR`: each gateway process writes V8 CPU profiles into DIR/<off|exported|sampled>
 * when it stops (`node --cpu-prof`; the largest is the main thread's), to see where its time goes.
 */

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const REQUESTS = option('requests', 3000);
const RATIO = option('ratio', 0.1);
const ROUNDS = option('rounds', 6);
const CONNECTIONS = option('connections', 8);
const PROFILE_DIR = args.includes('--cpu-prof') ? args[args.indexOf('--cpu-prof') + 1] : undefined;
const WARMUP = 500;
const ROOT = join(__dirname, '..', '..');
const QUERY = JSON.stringify({ query: '{ items(first: 20) { id name price } }' });
const SILENT = createLogger('bench', 'silent');

/** The part of autocannon's API used here (the package ships no types). */
type Autocannon = (options: Record<string, unknown>) => Promise<{ non2xx: number; errors: number; requests: { total: number } }>;
const autocannon = require('autocannon') as Autocannon;

const ITEMS_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { items(first: Int!): [Item!]! }
  type Item @key(fields: "id") { id: ID! name: String! }
`);
const PRICES_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Item @key(fields: "id") { id: ID! price: Int! }
`);

async function serve(typeDefs: ReturnType<typeof parse>, resolvers: Record<string, unknown>): Promise<RunningServer> {
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }), stopOnTerminationSignals: false, logger: SILENT });
  return serveHttp({ server, context: () => ({}), port: 0, host: '127.0.0.1' });
}

/** An OTLP/HTTP endpoint that takes every export and keeps only the count of bytes. */
async function startSink(): Promise<{ endpoint: string; bytes: () => number; stop(): Promise<void> }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => bytes,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** utime + stime of a process, ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
}

interface Gateway {
  name: string;
  url: string;
  child: ChildProcess;
}

async function startGatewayProcess(name: string, env: Record<string, string>, core: number): Promise<Gateway> {
  // A directory per gateway: tsx's loader thread writes a profile of its own beside the main thread's.
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, name)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, 'scripts', 'bench', 'tracingCostGateway.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { type?: string; url?: string }) => (message.type === 'ready' && message.url ? resolve(message.url) : reject(new Error(`${name}: ${JSON.stringify(message)}`))));
    child.once('exit', (code) => reject(new Error(`${name} gateway exited (${code})`)));
  });
  pin(child.pid!, core);
  return { name, url, child };
}

async function load(url: string, amount: number): Promise<number> {
  const result = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY, connections: CONNECTIONS, amount });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return result.requests.total;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const [gatewayCore, otherCore] = cpus().length > 1 ? [1, 0] : [0, 0];
  pin(process.pid, otherCore);
  const items = await serve(ITEMS_SDL, {
    Query: { items: (_: unknown, { first }: { first: number }) => Array.from({ length: first }, (_v, index) => ({ id: String(index), name: `item ${index}` })) },
  });
  const prices = await serve(PRICES_SDL, { Item: { __resolveReference: ({ id }: { id: string }) => ({ id, price: Number(id) * 100 }) } });
  const sink = await startSink();
  const composed = composeSupergraph([
    { name: 'items', url: items.url, typeDefs: ITEMS_SDL },
    { name: 'prices', url: prices.url, typeDefs: PRICES_SDL },
  ]);
  if (!composed.ok) throw new Error(composed.errors.join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-tracing-bench-'));
  writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);
  const common = {
    SUPERGRAPH_FILE: join(dir, 'supergraph.graphql'),
    JWT_PUBLIC_KEY: generateSigningKeys().publicKey,
    INTERNAL_SIGNING_SECRET: generateSigningSecret(),
    TEAMS_SUBGRAPH_URL: 'http://127.0.0.1:9/graphql',
    RATE_LIMIT_ANONYMOUS: '0',
    NODE_ENV: 'production',
    PORT: '0',
  };
  const gateways: Gateway[] = [];
  try {
    gateways.push(await startGatewayProcess('off', common, gatewayCore));
    const exporting = { ...common, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, OTEL_BSP_SCHEDULE_DELAY: '1000' };
    gateways.push(await startGatewayProcess('exported', { ...exporting, OTEL_TRACES_SAMPLER: 'always_on' }, gatewayCore));
    gateways.push(
      await startGatewayProcess('sampled', { ...exporting, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(RATIO) }, gatewayCore),
    );
    for (const gateway of gateways) await load(gateway.url, WARMUP);
    const perRequest: Record<string, number[]> = { off: [], exported: [], sampled: [] };
    console.log(`gateway CPU per request, ${REQUESTS} requests per round, ${CONNECTIONS} connections, gateway pinned to core ${gatewayCore}`);
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with the next gateway: each goes first, second and last as often.
      const order = gateways.map((_gateway, index) => gateways[(index + round) % gateways.length]!);
      for (const gateway of order) {
        const before = cpuMs(gateway.child.pid!);
        const done = await load(gateway.url, REQUESTS);
        // Spans still batched are exported within the schedule delay: that work counts too.
        if (gateway.name !== 'off') await new Promise((resolve) => setTimeout(resolve, 1_200));
        const ms = (cpuMs(gateway.child.pid!) - before) / done;
        perRequest[gateway.name]!.push(ms);
        console.log(`round ${round + 1}  ${gateway.name.padEnd(8)} ${ms.toFixed(3)} ms CPU/request`);
      }
    }
    const off = median(perRequest.off!);
    const exported = median(perRequest.exported!);
    const sampled = median(perRequest.sampled!);
    console.log(`median: off ${off.toFixed(3)} ms, exported (all) ${exported.toFixed(3)} ms, sampled (${RATIO}) ${sampled.toFixed(3)} ms CPU/request`);
    console.log(`ratio exported/off: ${(exported / off).toFixed(3)}, sampled/off: ${(sampled / off).toFixed(3)} (goal <= 1.10)`);
    console.log(`${(sink.bytes() / 1024 / 1024).toFixed(1)} MiB of OTLP received`);
  } finally {
    for (const gateway of gateways) gateway.child.kill('SIGTERM');
    await Promise.all(gateways.map((gateway) => new Promise((resolve) => (gateway.child.exitCode !== null ? resolve(null) : gateway.child.once('exit', resolve)))));
    await sink.stop();
    await items.stop();
    await prices.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
