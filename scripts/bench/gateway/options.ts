import { cleanEnv, makeValidator, num, str } from 'envalid';
import { GATEWAY_IDS, type GatewayId } from './gateways';

/** The parts of `npm run bench:gateway`, in the order they run and print. */
export const SECTIONS = ['standard', 'delay', 'dashboard'] as const;
export type Section = (typeof SECTIONS)[number];

const listOf = <T extends string>(choices: readonly T[]) =>
  makeValidator<T[]>((value) => {
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    const unknown = items.filter((item) => !choices.includes(item as T));
    if (items.length === 0 || unknown.length > 0) throw new Error(`must be a comma-separated list of ${choices.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`);
    return items as T[];
  });

/** The benchmark's settings, read once from the environment (README, "bench:gateway"). */
export function benchOptions(environment: NodeJS.ProcessEnv = process.env) {
  const env = cleanEnv(environment, {
    BENCH_SECTIONS: listOf(SECTIONS)({ default: [...SECTIONS], desc: 'Which parts run: standard, delay (standard with slow subgraphs), dashboard' }),
    BENCH_GATEWAYS: listOf(GATEWAY_IDS)({ default: GATEWAY_IDS.filter((id) => id !== 'ours-unbatched' && id !== 'ours-baseline'), desc: 'Gateways in the standard scenario' }),
    BENCH_DASHBOARD_GATEWAYS: listOf(GATEWAY_IDS)({ default: ['ours', 'stock'], desc: 'Gateways in the dashboard workload' }),
    BENCH_SECONDS: num({ default: 10, desc: 'Length of one measured round, per gateway' }),
    BENCH_ROUNDS: num({ default: 3, desc: 'Measured rounds per gateway and scenario (the order of gateways rotates each round)' }),
    BENCH_WARMUP_SECONDS: num({ default: 5, desc: 'Unmeasured load per gateway before its first round of a scenario' }),
    BENCH_CONNECTIONS: num({ default: 50, desc: 'Concurrent keep-alive connections of the load generator' }),
    BENCH_TOKENS: num({ default: 1000, desc: 'Distinct bearer tokens rotated over the requests (standard scenario)' }),
    BENCH_DELAY_MS: num({ default: 4, desc: 'Wait of each subgraph call in the delay variant' }),
    BENCH_DASHBOARD_USERS: num({ default: 200, desc: 'Signed-in users with data in the dashboard workload' }),
    BENCH_DASHBOARD_CONNECTIONS: num({ default: undefined, desc: 'Connections of the dashboard workload (default: BENCH_CONNECTIONS)' }),
    BENCH_DASHBOARD_TOKENS_PER_USER: num({ default: 10, desc: 'Distinct tokens per dashboard user (so that requests do not repeat)' }),
    BENCH_BASELINE_CHECKOUT: str({ default: '', desc: 'Another checkout of this repository, measured as the gateway ours-baseline' }),
    BENCH_GATEWAY_CORE: num({ default: 1, desc: 'The core the gateway under test has to itself' }),
    BENCH_LOAD_CORE: num({ default: 0, desc: 'The core of everything else: subgraphs, engines, wrk, idle gateways, this script' }),
  });
  return Object.freeze({
    sections: env.BENCH_SECTIONS,
    gateways: orderedGateways(env.BENCH_GATEWAYS),
    dashboardGateways: orderedGateways(env.BENCH_DASHBOARD_GATEWAYS),
    seconds: env.BENCH_SECONDS,
    rounds: env.BENCH_ROUNDS,
    warmupSeconds: env.BENCH_WARMUP_SECONDS,
    connections: env.BENCH_CONNECTIONS,
    tokens: env.BENCH_TOKENS,
    delayMs: env.BENCH_DELAY_MS,
    dashboardUsers: env.BENCH_DASHBOARD_USERS,
    dashboardConnections: env.BENCH_DASHBOARD_CONNECTIONS ?? env.BENCH_CONNECTIONS,
    dashboardTokensPerUser: env.BENCH_DASHBOARD_TOKENS_PER_USER,
    baselineCheckout: env.BENCH_BASELINE_CHECKOUT || undefined,
    gatewayCore: env.BENCH_GATEWAY_CORE,
    loadCore: env.BENCH_LOAD_CORE,
  });
}

export type BenchOptions = ReturnType<typeof benchOptions>;

/** Stock first is not required, but every ratio needs it: it is always measured. */
function orderedGateways(ids: GatewayId[]): GatewayId[] {
  const wanted = new Set<GatewayId>([...ids, 'stock']);
  return GATEWAY_IDS.filter((id) => wanted.has(id));
}
