import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { composeSupergraph } from '../../../../schema/composeSupergraph';
import { BenchProcess } from '../BenchProcess';
import type { RunningGateway } from '../gateways';
import type { Workload } from '../measure';
import { answerProblem } from '../sameAnswer';
import { STANDARD_QUERY } from './query';
import { standardReferenceData } from './referenceAnswer';
import { STANDARD_SUBGRAPHS, standardTypeDefs, type StandardSubgraph } from './subgraphs';
import type { SubgraphsAnswer, SubgraphsCounters, SubgraphsRequest } from './subgraphsMain';

type Request = SubgraphsRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The standard scenario's subgraph process, driven over IPC. */
export class StandardSubgraphs {
  private nextId = 0;

  private constructor(
    readonly process: BenchProcess,
    readonly urls: Record<StandardSubgraph, string>,
  ) {}

  static async start(root: string): Promise<StandardSubgraphs> {
    const child = BenchProcess.node('standard subgraphs', ['--import', 'tsx', join(__dirname, 'subgraphsMain.ts')], { env: { ...process.env, NODE_ENV: 'production' }, cwd: root });
    try {
      const ready = await child.message((message): message is { type: 'ready'; urls: Record<StandardSubgraph, string> } => message?.type === 'ready', 120_000);
      return new StandardSubgraphs(child, ready.urls);
    } catch (error) {
      await child.stop();
      throw error;
    }
  }

  async ask(request: Request): Promise<SubgraphsAnswer> {
    const id = ++this.nextId;
    const answer = this.process.message((message): message is SubgraphsAnswer => message?.id === id, 10_000);
    await this.process.send({ ...request, id });
    return answer;
  }

  async counters(): Promise<SubgraphsCounters> {
    return (await this.ask({ type: 'counters' })).counters!;
  }

  /** The supergraph of the four subgraphs at their URLs, composed by @apollo/composition, written to `file`. */
  writeSupergraph(file: string): void {
    const composed = composeSupergraph(STANDARD_SUBGRAPHS.map((name) => ({ name, url: this.urls[name], typeDefs: parse(standardTypeDefs(name)) })));
    if (!composed.ok) throw new Error(`the standard subgraphs do not compose:\n${composed.errors.join('\n')}`);
    writeFileSync(file, composed.supergraphSdl);
  }
}

/**
 * The standard scenario, and its variant where each subgraph call waits `delayMs` first. A
 * gateway is counted when its answer's data equals the reference answer and every subgraph
 * received the client's token.
 */
export async function standardWorkloads(
  subgraphs: StandardSubgraphs,
  files: { dir: string; tokensFile: string },
  probeToken: () => Promise<string>,
  delayMs: number,
  connections: number,
): Promise<{ standard: Workload; delayed: Workload }> {
  const body = JSON.stringify({ query: STANDARD_QUERY });
  const bodyFile = join(files.dir, 'standard-body.json');
  writeFileSync(bodyFile, body);
  const expected = await standardReferenceData();
  const check = async (gateway: RunningGateway) => {
    const authorization = `Bearer ${await probeToken()}`;
    const problem = await answerProblem(gateway.url, body, authorization, expected);
    if (problem) return problem;
    const saw = (await subgraphs.ask({ type: 'saw', authorization })).saw!;
    const missed = STANDARD_SUBGRAPHS.filter((name) => !saw[name]);
    return missed.length > 0 ? `the client's token did not reach ${missed.join(', ')}` : null;
  };
  const counters = async () => {
    const { calls } = await subgraphs.counters();
    return { subgraphCalls: STANDARD_SUBGRAPHS.reduce((sum, name) => sum + calls[name], 0) };
  };
  const workload = (name: string, delay: number): Workload => ({
    name,
    connections,
    tokensFile: files.tokensFile,
    bodyFile,
    check: async (gateway) => {
      await subgraphs.ask({ type: 'delay', ms: delay });
      return check(gateway);
    },
    reset: async () => {
      await subgraphs.ask({ type: 'delay', ms: delay });
      await subgraphs.ask({ type: 'reset' });
    },
    counters,
    subgraphTicks: () => subgraphs.process.cpuTicks(),
  });
  return { standard: workload('standard', 0), delayed: workload(`standard, ${delayMs} ms per subgraph call`, delayMs) };
}
