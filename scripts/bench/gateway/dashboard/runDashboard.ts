import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../../engines/freePort';
import { composeSupergraph, subgraphDefinitions } from '../../../../schema/composeSupergraph';
import { SUBGRAPHS, type SubgraphName } from '../../../../schema/subgraphs';
import { seedDataSet } from '../../../seed';
import { startBenchEngines } from '../../benchEngines';
import { BenchProcess } from '../BenchProcess';
import type { GatewayId, GatewayInputs, RunningGateway } from '../gateways';
import { measureWorkload, type Row, type Workload } from '../measure';
import type { BenchOptions } from '../options';
import { answerProblem } from '../sameAnswer';
import { mintAccessTokens, writeTokensFile } from '../tokens';
import { dashboardData } from './dashboardData';
import { DASHBOARD_FOR_ME } from '../../../dashboardQuery';
import type { DashboardSubgraphAnswer, DashboardSubgraphSetup } from './subgraphMain';
import { generateSigningSecret } from '../../../../lib/auth/RequestSigner';

export const DASHBOARD_WORKLOAD = 'dashboard (real subgraphs and engines)';

/** Users whose dashboards every gateway must answer exactly as stock does before it is counted. */
const CHECKED_USERS = 5;

export interface DashboardHelpers {
  say(message: string): void;
  startGateways(ids: readonly GatewayId[], inputs: GatewayInputs, options: BenchOptions, workloads: string[]): Promise<{ running: RunningGateway[]; rows: Row[] }>;
  cleanups: (() => Promise<void> | void)[];
}

/** The five subgraph processes, counting their requests and database queries. */
class DashboardSubgraphs {
  private nextId = 0;

  constructor(readonly processes: Record<SubgraphName, BenchProcess>) {}

  static async start(setup: Omit<DashboardSubgraphSetup, 'name' | 'port' | 'urls'>, root: string): Promise<{ subgraphs: DashboardSubgraphs; urls: Record<SubgraphName, string> }> {
    // Ports first, so that each service knows where the others are.
    const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async ({ name }) => [name, await freePort()]))) as Record<SubgraphName, number>;
    const urls = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<SubgraphName, string>;
    const processes = {} as Record<SubgraphName, BenchProcess>;
    for (const { name } of SUBGRAPHS) {
      const env = { ...process.env, NODE_ENV: 'production', BENCH_DASHBOARD_SUBGRAPH: JSON.stringify({ ...setup, name, port: ports[name], urls } satisfies DashboardSubgraphSetup) };
      processes[name] = BenchProcess.node(`${name} subgraph`, ['--import', 'tsx', join(__dirname, 'subgraphMain.ts')], { env, cwd: root });
    }
    await Promise.all(Object.values(processes).map((child) => child.message((message): message is { type: 'ready' } => message?.type === 'ready', 180_000)));
    return { subgraphs: new DashboardSubgraphs(processes), urls };
  }

  async ask(type: 'reset' | 'counters'): Promise<{ calls: number; queries: number }> {
    const answers = await Promise.all(
      Object.values(this.processes).map((child) => {
        const id = ++this.nextId;
        const answer = child.message((message): message is DashboardSubgraphAnswer => message?.id === id, 10_000);
        return child.send({ id, type }).then(() => answer);
      }),
    );
    return { calls: answers.reduce((sum, a) => sum + a.calls, 0), queries: answers.reduce((sum, a) => sum + a.queries, 0) };
  }

  stop(): Promise<void[]> {
    return Promise.all(Object.values(this.processes).map((child) => child.stop()));
  }
}

/** What a dashboard must show for the seeded data, so that an empty answer is never the reference. */
function dashboardProblem(data: any): string | null {
  const me = data?.me;
  if (!me) return 'no `me` in the answer';
  if (!me.teams?.edges?.length) return 'no team';
  if (me.projects?.edges?.length !== 2 || me.projects.edges.some((edge: any) => !edge.node?.latestVersion)) return 'not two projects with a version';
  if (me.sent?.edges?.length !== 1 || me.received?.edges?.length !== 1) return 'not one payment sent and one received';
  if (!me.profile) return 'no profile';
  return null;
}

/**
 * The product's dashboard on the real stack: embedded PostgreSQL and FerretDB (or the engines
 * named by BENCH_POSTGRES_URL / BENCH_MONGO_URL), the five subgraphs each in a process of its own
 * on the load core, `dashboardUsers` users with data seeded into their stores, each request one
 * of them reading their own dashboard with a token nobody else sends.
 */
export async function runDashboard(options: BenchOptions, dir: string, keys: { privateKey: string; publicKey: string }, helpers: DashboardHelpers): Promise<Row[]> {
  const { say } = helpers;
  const root = join(__dirname, '..', '..', '..', '..');
  const engines = await startBenchEngines(say);
  let enginesStopped = false;
  const stopEngines = async () => {
    if (enginesStopped) return;
    enginesStopped = true;
    await engines.stop();
  };
  helpers.cleanups.push(stopEngines);
  try {
    const databases = await engines.freshDatabases();
    const data = dashboardData(options.dashboardUsers);
    await seedDataSet(databases, data);
    say(`dashboard: ${data.userIds.length} users with a team, two projects, payments and a profile each`);
    // The services honour federation's internal fields only from signed requests: every gateway signs.
    const signingSecret = generateSigningSecret();
    const { subgraphs, urls } = await DashboardSubgraphs.start({ databases, publicKey: keys.publicKey, signingSecret, privateKey: keys.privateKey }, root);
    for (const child of Object.values(subgraphs.processes)) child.pin(options.loadCore);
    try {
      const composed = composeSupergraph(subgraphDefinitions().map((service) => ({ ...service, url: urls[service.name as SubgraphName] })));
      if (!composed.ok) throw new Error(composed.errors.join('\n'));
      const supergraphFile = join(dir, 'dashboard-supergraph.graphql');
      writeFileSync(supergraphFile, composed.supergraphSdl);
      const tokensFile = join(dir, 'dashboard-tokens.txt');
      writeTokensFile(tokensFile, await mintAccessTokens(keys.privateKey, data.userIds, options.dashboardTokensPerUser));
      const body = JSON.stringify({ query: DASHBOARD_FOR_ME });
      const bodyFile = join(dir, 'dashboard-body.json');
      writeFileSync(bodyFile, body);

      const { running, rows } = await helpers.startGateways(
        options.dashboardGateways,
        { supergraphFile, publicKey: keys.publicKey, signingSecret, oursEnv: { TEAMS_SUBGRAPH_URL: urls.teams } },
        options,
        [DASHBOARD_WORKLOAD],
      );
      try {
        const checked = data.userIds.slice(0, CHECKED_USERS);
        // Fresh tokens for the check (one per user and gateway would do; new ones cost nothing).
        const tokenFor = async (userId: string) => `Bearer ${(await mintAccessTokens(keys.privateKey, [userId]))[0]}`;
        const stock = running.find((gateway) => gateway.id === 'stock');
        const reference = new Map<string, unknown>();
        let referenceProblem: string | null = stock ? null : 'stock @apollo/gateway did not start, so there is no reference answer';
        for (const userId of stock ? checked : []) {
          const response = await fetch(stock!.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: await tokenFor(userId) }, body });
          const answer = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
          referenceProblem ??= answer.errors?.length ? `stock answered with errors: ${answer.errors.map((e) => e.message).join('; ')}` : dashboardProblem(answer.data);
          reference.set(userId, answer.data);
        }
        const workload: Workload = {
          name: DASHBOARD_WORKLOAD,
          connections: options.dashboardConnections,
          tokensFile,
          bodyFile,
          check: async (gateway) => {
            if (referenceProblem) return referenceProblem;
            for (const userId of checked) {
              const problem = await answerProblem(gateway.url, body, await tokenFor(userId), reference.get(userId));
              if (problem) return `${problem} (compared with stock's answer)`;
            }
            return null;
          },
          reset: async () => void (await subgraphs.ask('reset')),
          counters: async () => {
            const { calls, queries } = await subgraphs.ask('counters');
            return { subgraphCalls: calls, databaseQueries: queries };
          },
          subgraphTicks: () => Object.values(subgraphs.processes).reduce((sum, child) => sum + child.cpuTicks(), 0),
        };
        rows.push(...(await measureWorkload(workload, running, options, say)));
        return options.dashboardGateways.map((id) => rows.find((row) => row.gateway === id)!).filter(Boolean);
      } finally {
        await Promise.all(running.map((gateway) => gateway.process.stop()));
      }
    } finally {
      await subgraphs.stop();
    }
  } finally {
    await stopEngines();
  }
}
