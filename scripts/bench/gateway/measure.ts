import { coreTicks, TICKS_PER_SECOND } from './procStats';
import type { GatewayId, RunningGateway } from './gateways';
import type { BenchOptions } from './options';
import { runWrk, type WrkResult } from './wrk';

/** One scenario as the measuring loop sees it. */
export interface Workload {
  /** How the table names it ("standard", "standard, 4 ms per subgraph call", "dashboard"). */
  name: string;
  /** Concurrent connections of the load generator. */
  connections: number;
  tokensFile: string;
  bodyFile: string;
  /** Null when the gateway answers what it must (and forwards the token); otherwise why not. */
  check(gateway: RunningGateway): Promise<string | null>;
  /** Zeroes what the subgraphs count. */
  reset(): Promise<void>;
  /** What the subgraphs counted since `reset`: calls, and database queries where they have a database. */
  counters(): Promise<{ subgraphCalls: number; databaseQueries?: number }>;
  /** CPU ticks the subgraph processes have used so far (to tell when they have nothing left to do). */
  subgraphTicks(): number;
}

export interface Figures {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  /** Median over the rounds of each round's percentile. */
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  /** The highest peak of any round. */
  peakRssMb: number;
  subgraphCallsPerRequest: number;
  databaseQueriesPerRequest?: number;
  /** How busy the load core (subgraphs, engines, wrk) was: near 100 means the gateway was not the limit. */
  loadCoreBusyPercent: number;
  /** How much of the gateway's core other processes took (0 on a quiet machine). */
  othersOnGatewayCorePercent: number;
}

export interface Row {
  workload: string;
  gateway: GatewayId;
  /** Why it was not counted (a different answer, not available...); figures are absent then. */
  notCounted?: string;
  figures?: Figures;
}

interface Round {
  wrk: WrkResult;
  cpuTicks: number;
  peakRssMb: number;
  subgraphCalls: number;
  databaseQueries?: number;
  loadCoreBusy: number;
  loadCoreTotal: number;
  /** Ticks of the gateway's core that went to other processes (another program on the machine). */
  othersOnGatewayCore: number;
  gatewayCoreTotal: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** The gateway under test alone on its core; every other gateway back with the rest. */
function isolate(gateway: RunningGateway, all: RunningGateway[], options: BenchOptions): void {
  for (const other of all) if (other !== gateway) other.process.pin(options.loadCore);
  gateway.process.pin(options.gatewayCore);
}

/**
 * Resolves once, for half a second, neither the gateway nor the subgraphs have used any CPU and
 * the subgraphs have counted no call or query: when wrk stops, the requests still in flight go on
 * being executed after it has gone (on an overloaded machine for seconds), and must not be counted
 * in the next round (of this gateway or another). Gives up after 2 minutes.
 */
async function untilIdle(gateway: RunningGateway, workload: Workload): Promise<void> {
  const deadline = Date.now() + 120_000;
  const sample = async () => JSON.stringify([gateway.process.cpuTicks(), workload.subgraphTicks(), await workload.counters()]);
  let last = await sample();
  let quiet = 0;
  while (quiet < 5 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await sample();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/** Load on one gateway, then the wait until it has finished what was still in flight. */
async function load(workload: Workload, gateway: RunningGateway, options: BenchOptions, seconds: number): Promise<WrkResult> {
  const result = await runWrk({ url: gateway.url, seconds, connections: workload.connections, tokensFile: workload.tokensFile, bodyFile: workload.bodyFile });
  await untilIdle(gateway, workload);
  return result;
}

async function measureRound(workload: Workload, gateway: RunningGateway, all: RunningGateway[], options: BenchOptions): Promise<Round> {
  isolate(gateway, all, options);
  await workload.reset();
  gateway.process.resetPeakRss();
  const cpuBefore = gateway.process.cpuTicks();
  const coresBefore = coreTicks();
  // CPU and subgraph calls are counted until the requests in flight at the end are done too, and
  // divided by the requests sent (wrk.sent), so that those are neither lost nor free.
  const wrk = await load(workload, gateway, options, options.seconds);
  const coresAfter = coreTicks();
  const cpuTicks = gateway.process.cpuTicks() - cpuBefore;
  const counters = await workload.counters();
  const core = (index: number) => ({ busy: coresAfter[index]!.busy - coresBefore[index]!.busy, total: coresAfter[index]!.total - coresBefore[index]!.total });
  const loadCore = core(options.loadCore);
  const gatewayCore = core(options.gatewayCore);
  return {
    wrk,
    cpuTicks,
    peakRssMb: gateway.process.peakRssMb(),
    subgraphCalls: counters.subgraphCalls,
    databaseQueries: counters.databaseQueries,
    loadCoreBusy: loadCore.busy,
    loadCoreTotal: loadCore.total,
    othersOnGatewayCore: Math.max(0, gatewayCore.busy - cpuTicks),
    gatewayCoreTotal: gatewayCore.total,
  };
}

function figures(rounds: Round[]): Figures {
  const requests = rounds.reduce((sum, round) => sum + round.wrk.requests, 0);
  const sent = rounds.reduce((sum, round) => sum + round.wrk.sent, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.wrk.seconds, 0);
  const ticks = rounds.reduce((sum, round) => sum + round.cpuTicks, 0);
  const queries = rounds.every((round) => round.databaseQueries !== undefined)
    ? rounds.reduce((sum, round) => sum + round.databaseQueries!, 0)
    : undefined;
  return {
    requests,
    errors: rounds.reduce((sum, round) => sum + round.wrk.errors, 0),
    requestsPerSecond: requests / seconds,
    p50Ms: median(rounds.map((round) => round.wrk.p50Ms)),
    p99Ms: median(rounds.map((round) => round.wrk.p99Ms)),
    cpuMsPerRequest: (ticks * (1000 / TICKS_PER_SECOND)) / sent,
    peakRssMb: Math.max(...rounds.map((round) => round.peakRssMb)),
    subgraphCallsPerRequest: rounds.reduce((sum, round) => sum + round.subgraphCalls, 0) / sent,
    databaseQueriesPerRequest: queries === undefined ? undefined : queries / sent,
    loadCoreBusyPercent: (100 * rounds.reduce((sum, round) => sum + round.loadCoreBusy, 0)) / rounds.reduce((sum, round) => sum + round.loadCoreTotal, 0),
    othersOnGatewayCorePercent:
      (100 * rounds.reduce((sum, round) => sum + round.othersOnGatewayCore, 0)) / rounds.reduce((sum, round) => sum + round.gatewayCoreTotal, 0),
  };
}

/**
 * Measures one workload on every gateway: each is checked first (a gateway that answers
 * differently is reported and not counted), warmed up, then measured in `rounds` rounds whose
 * order of gateways rotates (round r starts with the r-th gateway), so that a slow moment of the
 * machine does not fall on one gateway only.
 */
export async function measureWorkload(workload: Workload, gateways: RunningGateway[], options: BenchOptions, log: (message: string) => void): Promise<Row[]> {
  const rows = new Map<GatewayId, Row>();
  const counted: RunningGateway[] = [];
  for (const gateway of gateways) {
    const problem = await workload.check(gateway);
    rows.set(gateway.id, { workload: workload.name, gateway: gateway.id, ...(problem ? { notCounted: problem } : {}) });
    if (problem) log(`${workload.name}: ${gateway.id} not counted: ${problem}`);
    else counted.push(gateway);
  }
  if (options.warmupSeconds > 0) {
    for (const gateway of counted) {
      isolate(gateway, gateways, options);
      await load(workload, gateway, options, options.warmupSeconds);
    }
  }
  const rounds = new Map<GatewayId, Round[]>(counted.map((gateway) => [gateway.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = counted.map((_, index) => counted[(index + round) % counted.length]!);
    for (const gateway of order) {
      const measured = await measureRound(workload, gateway, gateways, options);
      rounds.get(gateway.id)!.push(measured);
      log(
        `${workload.name}: round ${round + 1}/${options.rounds} ${gateway.id}: ${measured.wrk.requestsPerSecond.toFixed(1)} req/s, ` +
          `p99 ${measured.wrk.p99Ms.toFixed(1)} ms, ${((measured.cpuTicks * (1000 / TICKS_PER_SECOND)) / measured.wrk.sent).toFixed(2)} CPU ms/req, ${(measured.subgraphCalls / measured.wrk.sent).toFixed(1)} calls/req, errors ${measured.wrk.errors}` +
          (measured.wrk.firstError ? ` (first: ${measured.wrk.firstError})` : ''),
      );
    }
  }
  for (const gateway of counted) rows.get(gateway.id)!.figures = figures(rounds.get(gateway.id)!);
  return gateways.map((gateway) => rows.get(gateway.id)!);
}
