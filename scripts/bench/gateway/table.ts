import { GATEWAY_LABELS } from './gateways';
import type { Row } from './measure';

const HEADER = [
  'scenario',
  'gateway',
  'req/s',
  'p50 ms',
  'p99 ms',
  'gateway CPU ms/req',
  'peak RSS MiB',
  'subgraph calls/req',
  'DB queries/req',
  'req/s ÷ stock',
  'p99 ÷ stock',
  'RSS ÷ stock',
  'errors',
  'load core busy',
  'others on gateway core',
];

const fixed = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));

/** The benchmark's one table (markdown): a row per scenario and gateway, with ratios to stock in the same scenario. */
export function resultsTable(rows: readonly Row[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map((_, index) => (index < 2 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const label = GATEWAY_LABELS[row.gateway];
    const figures = row.figures;
    if (!figures) {
      lines.push(`| ${row.workload} | ${label} | not counted: ${row.notCounted ?? 'no figures'} |${' — |'.repeat(HEADER.length - 3)}`);
      continue;
    }
    const stock = rows.find((other) => other.workload === row.workload && other.gateway === 'stock')?.figures;
    const ratio = (mine: number, theirs: number | undefined) => (theirs ? `${(mine / theirs).toFixed(2)}×` : '—');
    lines.push(
      `| ${[
        row.workload,
        label,
        fixed(figures.requestsPerSecond, 1),
        fixed(figures.p50Ms, 1),
        fixed(figures.p99Ms, 1),
        fixed(figures.cpuMsPerRequest, 2),
        fixed(figures.peakRssMb, 0),
        fixed(figures.subgraphCallsPerRequest, 1),
        fixed(figures.databaseQueriesPerRequest, 1),
        ratio(figures.requestsPerSecond, stock?.requestsPerSecond),
        ratio(figures.p99Ms, stock?.p99Ms),
        ratio(figures.peakRssMb, stock?.peakRssMb),
        `${figures.errors} of ${figures.requests}`,
        `${fixed(figures.loadCoreBusyPercent, 0)}%`,
        `${fixed(figures.othersOnGatewayCorePercent, 0)}%`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
