import type { Progress } from '../lib/progress';
import type { Reference } from '../lib/references';
import type { ReferenceCheck } from './references';

export interface Orphan extends Reference {
  /** Why it is an orphan: the target was deleted, or never was (or is gone without a tombstone). */
  reason: 'deleted' | 'unknown';
}

export interface CheckReport {
  name: string;
  /** Referring rows read. */
  rows: number;
  references: number;
  orphans: number;
  /** References to deleted entities kept on purpose (payments). */
  kept: number;
  /** The first few orphans, to look at. */
  examples: Orphan[];
  rule: string | null;
  /** Rows the repair changed (with --repair). */
  repaired: number;
}

export interface CheckOptions {
  batchSize: number;
  repair: boolean;
  examples: number;
  progress: Progress;
}

/** Scans one kind of reference batch by batch; with `repair`, applies its rule to each batch's orphans. */
export async function runCheck(check: ReferenceCheck, options: CheckOptions): Promise<CheckReport> {
  const report: CheckReport = { name: check.name, rows: 0, references: 0, orphans: 0, kept: 0, examples: [], rule: check.rule, repaired: 0 };
  const task = options.progress.start(check.name, await check.total());
  let after: string | null = null;
  for (;;) {
    const batch = await check.batch(after, options.batchSize);
    if (batch.rows === 0) break;
    after = batch.last;
    report.rows += batch.rows;
    report.references += batch.references.length;
    const status = await check.status([...new Set(batch.references.map((reference) => reference.target))]);
    const orphans: Orphan[] = [];
    for (const reference of batch.references) {
      const found = status.get(reference.target);
      if (found === 'live') continue;
      if (found === 'deleted' && check.keepsDeleted) report.kept += 1;
      else orphans.push({ ...reference, reason: found === 'deleted' ? 'deleted' : 'unknown' });
    }
    report.orphans += orphans.length;
    report.examples.push(...orphans.slice(0, options.examples - report.examples.length));
    if (options.repair && check.repair && orphans.length > 0) {
      report.repaired += await check.repair([...new Set(orphans.map((orphan) => orphan.target))]);
    }
    task.update(report.rows);
  }
  task.finish(report.rows);
  return report;
}

export async function runChecks(checks: readonly ReferenceCheck[], options: CheckOptions): Promise<CheckReport[]> {
  const reports: CheckReport[] = [];
  for (const check of checks) reports.push(await runCheck(check, options));
  return reports;
}

const n = (value: number) => value.toLocaleString('en-US');

/** The report as an operator reads it. */
export function formatReports(reports: readonly CheckReport[], repaired: boolean): string {
  const lines: string[] = [];
  const width = Math.max(...reports.map((report) => report.name.length));
  for (const report of reports) {
    const kept = report.kept > 0 ? `, ${n(report.kept)} to deleted users kept (financial records stay)` : '';
    lines.push(`${report.name.padEnd(width)}  ${n(report.references).padStart(9)} references  ${n(report.orphans).padStart(7)} orphans${kept}`);
    for (const orphan of report.examples) {
      lines.push(`    e.g. ${orphan.source} → ${orphan.target} (${orphan.reason === 'deleted' ? 'deleted' : 'no such id'})`);
    }
    if (report.orphans > 0) {
      lines.push(repaired ? `    repaired: ${n(report.repaired)} rows changed by the rule: ${report.rule ?? 'none (reported only)'}` : `    rule: ${report.rule ?? 'none: reported only, for a person to look at'}`);
    }
  }
  return lines.join('\n');
}
