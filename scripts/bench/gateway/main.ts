import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exitHook from 'async-exit-hook';
import { generateSigningKeys } from '../../../lib/auth/accessTokens';
import { ensureSystemTools, WRK } from '../../systemTools';
import { stopAllBenchProcesses } from './BenchProcess';
import { GATEWAY_LABELS, startBenchGateway, unavailableReason, type GatewayId, type GatewayInputs, type RunningGateway } from './gateways';
import { measureWorkload, type Row } from './measure';
import { benchOptions, type BenchOptions } from './options';
import { pin, processTree } from './procStats';
import { StandardSubgraphs, standardWorkloads } from './standard/standardWorkloads';
import { resultsTable } from './table';
import { mintDistinctTokens, writeTokensFile } from './tokens';
import { runDashboard } from './dashboard/runDashboard';

/**
 * `npm run bench:gateway`: federation gateways side by side, each one process with a core to
 * itself (taskset), everything else on the other core. The standard federation benchmark (four
 * in-memory subgraphs, its heavy nested query), the same with slow subgraphs, and the product's
 * dashboard workload on the real subgraphs and engines. Every request carries another valid
 * bearer token, which the gateways forward. Prints one markdown table (README, "bench:gateway").
 */
const ROOT = join(__dirname, '..', '..', '..');
const say = (message: string) => process.stdout.write(`[bench:gateway] ${message}\n`);

/** Runs when the benchmark ends, however it ends (Ctrl-C included). */
const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | null = null;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllBenchProcesses();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`[bench:gateway] cleaning up: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}
let interrupted = false;
exitHook((done) => {
  interrupted = true;
  void cleanUp().finally(done);
});

/** Starts each gateway; one that cannot start is reported as not available instead of stopping the run. */
export async function startGateways(ids: readonly GatewayId[], inputs: GatewayInputs, options: BenchOptions, workloads: string[]): Promise<{ running: RunningGateway[]; rows: Row[] }> {
  const running: RunningGateway[] = [];
  const rows: Row[] = [];
  const withBaseline: GatewayInputs = { ...inputs, baselineCheckout: options.baselineCheckout };
  for (const id of ids) {
    const reason = unavailableReason(id, withBaseline);
    try {
      if (reason) throw new Error(reason);
      const gateway = await startBenchGateway(id, withBaseline);
      gateway.process.pin(options.loadCore);
      running.push(gateway);
      say(`${GATEWAY_LABELS[id]} answering at ${gateway.url} (pid ${gateway.process.pid})`);
    } catch (error) {
      const why = (error as Error).message.split('\n')[0]!;
      say(`${GATEWAY_LABELS[id]} is not available: ${(error as Error).message.slice(0, 2000)}`);
      for (const workload of workloads) rows.push({ workload, gateway: id, notCounted: `not available: ${why}` });
    }
  }
  return { running, rows };
}

/** The rows of `measured`, with those of gateways that never started, in gateway order. */
function inGatewayOrder(ids: readonly GatewayId[], workloads: string[], rows: Row[]): Row[] {
  return workloads.flatMap((workload) => ids.map((id) => rows.find((row) => row.workload === workload && row.gateway === id)!).filter(Boolean));
}

async function standardSections(options: BenchOptions, dir: string, keys: { privateKey: string; publicKey: string }): Promise<Row[]> {
  const tokensFile = join(dir, 'standard-tokens.txt');
  writeTokensFile(tokensFile, await mintDistinctTokens(keys.privateKey, options.tokens));
  const subgraphs = await StandardSubgraphs.start(ROOT);
  subgraphs.process.pin(options.loadCore);
  const supergraphFile = join(dir, 'standard-supergraph.graphql');
  subgraphs.writeSupergraph(supergraphFile);
  say(`standard subgraphs at ${Object.values(subgraphs.urls).join(', ')}; supergraph composed`);
  const { standard, delayed } = await standardWorkloads(subgraphs, { dir, tokensFile }, async () => (await mintDistinctTokens(keys.privateKey, 1))[0]!, options.delayMs, options.connections);
  const workloads = [
    ...(options.sections.includes('standard') ? [standard] : []),
    ...(options.sections.includes('delay') ? [delayed] : []),
  ];
  const names = workloads.map((workload) => workload.name);
  const { running, rows } = await startGateways(options.gateways, { supergraphFile, publicKey: keys.publicKey }, options, names);
  try {
    for (const workload of workloads) rows.push(...(await measureWorkload(workload, running, options, say)));
  } finally {
    await Promise.all([...running.map((gateway) => gateway.process.stop()), subgraphs.process.stop()]);
  }
  return inGatewayOrder(options.gateways, names, rows);
}

async function main(): Promise<void> {
  const options = benchOptions();
  ensureSystemTools([WRK], say);
  // This process and everything it starts (subgraphs, wrk, engines) on the load core; each
  // gateway moves to its own core only while it is measured.
  for (const pid of processTree(process.pid)) pin(pid, options.loadCore);
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-bench-gateway-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const keys = generateSigningKeys();
  say(
    `${options.rounds} rounds of ${options.seconds} s per gateway and scenario (after ${options.warmupSeconds} s of warm-up), ` +
      `${options.connections} connections (dashboard: ${options.dashboardConnections}); gateway under test on core ${options.gatewayCore}, everything else on core ${options.loadCore}`,
  );
  const rows: Row[] = [];
  if (options.sections.includes('standard') || options.sections.includes('delay')) rows.push(...(await standardSections(options, dir, keys)));
  if (options.sections.includes('dashboard')) rows.push(...(await runDashboard(options, dir, keys, { say, startGateways, cleanups })));
  process.stdout.write(`\n${resultsTable(rows)}\n\n`);
  process.stdout.write(
    'req/s: all rounds together; p50/p99: median of the rounds; gateway CPU: user+system time of the gateway process(es) / requests; ' +
      'peak RSS: VmHWM, highest round; subgraph calls and DB queries: counted at the subgraphs / requests; load core busy: how much of the other core ' +
      '(subgraphs, engines, wrk) was used (near 100% means the gateway was not the limit); others on gateway core: its time taken by ' +
      'processes not of this benchmark (0% on a quiet machine).\n',
  );
}

main()
  .catch((error: unknown) => {
    // Once interrupted, whatever was running fails because its processes are being stopped.
    if (interrupted) process.stderr.write('[bench:gateway] interrupted: stopped everything it started\n');
    else process.stderr.write(`[bench:gateway] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp().then(() => process.exit()));
