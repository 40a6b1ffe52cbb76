import { serveSchema, type ServedSchema } from './serveSchema';
import { STANDARD_SUBGRAPHS, standardSubgraphSchema, type StandardSubgraph } from './subgraphs';

/**
 * The four subgraphs of the standard scenario in one process of their own (pinned beside the load
 * generator), each on a port the system picks. Driven by its parent over IPC:
 * `{ type: 'delay', ms }` sets the wait before each answer, `{ type: 'reset' }` zeroes the
 * counters, `{ type: 'counters' }` asks for them (calls, and how many distinct tokens arrived),
 * `{ type: 'saw', authorization }` asks which subgraphs received that header. It reports `{ type: 'ready', urls }` once all
 * four listen, and exits when its parent goes away.
 */
export type SubgraphsRequest = { id: number } & (
  | { type: 'delay'; ms: number }
  | { type: 'reset' }
  | { type: 'counters' }
  | { type: 'saw'; authorization: string }
);
export interface SubgraphsCounters {
  calls: Record<StandardSubgraph, number>;
  distinctAuthorizations: Record<StandardSubgraph, number>;
}
export type SubgraphsAnswer = { id: number; counters?: SubgraphsCounters; saw?: Record<StandardSubgraph, boolean> };

let delayMs = 0;

async function main(): Promise<void> {
  const served = {} as Record<StandardSubgraph, ServedSchema>;
  for (const name of STANDARD_SUBGRAPHS) served[name] = await serveSchema(standardSubgraphSchema(name), () => delayMs);
  const each = <T>(pick: (subgraph: ServedSchema) => T) =>
    Object.fromEntries(STANDARD_SUBGRAPHS.map((name) => [name, pick(served[name])])) as Record<StandardSubgraph, T>;
  process.on('message', (message: SubgraphsRequest) => {
    if (message.type === 'delay') delayMs = message.ms;
    if (message.type === 'reset') {
      for (const subgraph of Object.values(served)) {
        subgraph.counters.calls = 0;
        subgraph.counters.authorizations.clear();
      }
    }
    const answer: SubgraphsAnswer = { id: message.id };
    if (message.type === 'counters') {
      answer.counters = { calls: each((s) => s.counters.calls), distinctAuthorizations: each((s) => s.counters.authorizations.size) };
    }
    if (message.type === 'saw') answer.saw = each((s) => s.counters.authorizations.has(message.authorization));
    process.send!(answer);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', urls: each((s) => s.url) });
}

main().catch((error: unknown) => {
  process.stderr.write(`standard subgraphs failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
