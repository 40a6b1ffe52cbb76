import { parseCommandLine, runTool, wholeNumber } from '../lib/cli';
import { NO_PROGRESS, stderrProgress } from '../lib/progress';
import { formatReports, runChecks, type CheckReport } from './check';
import { referenceChecks } from './references';
import { refuseWhileMoving, servedStores } from '../scripts/servedStores';
import { storesFromEnv } from '../scripts/storesConfig';
import { openStores } from './stores';

/**
 * `npm run integrity [-- --repair] [--batch-size N] [--examples N] [--json] [--quiet]`: scans every
 * cross-database reference and reports orphans; --repair applies the delete rules to them, then
 * checks again. Exit code 0 when no orphan is left, 1 when some are, 2 on bad usage.
 */
const USAGE = 'usage: npm run integrity -- [--repair] [--batch-size N (1-10000, default 5000)] [--examples N (default 5)] [--json] [--quiet]';

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      repair: { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      examples: { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  // Large batches: FerretDB answers an `_id: { $in }` lookup by scanning the collection, so the
  // number of lookups (not their size) is what costs; 5,000 references stay well under a megabyte.
  const batchSize = wholeNumber(values['batch-size'], 'batch-size', 5000, 10_000);
  const examples = wholeNumber(values.examples, 'examples', 5, 1000);
  const progress = values.quiet || values.json ? NO_PROGRESS : stderrProgress();
  const served = await servedStores(storesFromEnv());
  // A repair writes users and teams directly: not while a move copies them between stores.
  if (values.repair) refuseWhileMoving('integrity --repair', served);
  const stores = await openStores(served.databases);
  try {
    // Pointed at the wrong (or an empty) users database, every reference would look orphaned and
    // a repair would delete everyone's projects and profiles: refuse that.
    if (values.repair && !(await stores.users.hasLiveUsers())) {
      throw new Error('the users store has no users at all: check MONGO_URL and USERS_DATABASE before repairing (nothing was changed)');
    }
    const checks = referenceChecks(stores);
    const options = { batchSize, examples, progress, repair: false };
    const found = await runChecks(checks, { ...options, repair: values.repair });
    // After a repair, a second pass shows what is left (the proof, not the promise).
    const left: CheckReport[] = values.repair ? await runChecks(checks, options) : found;
    const orphansLeft = left.reduce((sum, report) => sum + report.orphans, 0);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ found, ...(values.repair ? { left } : {}), orphansLeft })}\n`);
    } else {
      process.stdout.write(`${formatReports(found, values.repair)}\n`);
      if (values.repair) process.stdout.write(`\nAfter the repair:\n${formatReports(left, false)}\n`);
      process.stdout.write(`\n${orphansLeft === 0 ? 'No orphans: the stores agree.' : `${orphansLeft.toLocaleString('en-US')} orphans${values.repair ? ' left (no rule repairs them)' : '; `--repair` applies the rules'}.`}\n`);
    }
    return orphansLeft === 0 ? 0 : 1;
  } finally {
    await stores.close();
  }
}

runTool('integrity', USAGE, main);
