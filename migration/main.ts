import { parseCommandLine, runTool, UsageError, wholeNumber } from '../lib/cli';
import { NO_PROGRESS, stderrProgress } from '../lib/progress';
import { refuseWhileMoving, servedStores } from '../scripts/servedStores';
import { storesFromEnv } from '../scripts/storesConfig';
import { openConnections } from './connections';
import { formatPlan, planMigration } from './commands/plan';
import { rollbackMigration } from './commands/rollback';
import { runMigration } from './commands/run';
import { formatStats, migrationStats } from './commands/stats';
import { n } from './commands/stream';
import { formatVerification, verifiedOk, verifyMigration } from './commands/verify';

/**
 * `npm run migrate:legacy -- <plan|run|verify|stats|rollback> --source <url>`: moves a legacy
 * shared database into the services' stores (see README, "Migrating from a shared database").
 * Exit codes: 0 done (verify: everything matches), 1 verify found mismatches, 2 bad usage, 3 failed.
 */
const COMMANDS = ['plan', 'run', 'verify', 'stats', 'rollback'] as const;
type Command = (typeof COMMANDS)[number];
const USAGE = `usage: npm run migrate:legacy -- <${COMMANDS.join('|')}> --source <postgresql url> [--state <postgresql url>] [--batch-size N (1-50000, default 2000)] [--json] [--quiet]
  the targets are the services' stores (MONGO_URL, USERS_DATABASE, PAYMENTS_DATABASE_URL, PROFILES_DATABASE_URL), or a running npm start's`;

function parse(argv: string[]) {
  const parsed = parseCommandLine({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      source: { type: 'string' },
      state: { type: 'string' },
      'batch-size': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const [command, ...extra] = parsed.positionals;
  if (!command || !COMMANDS.includes(command as Command)) throw new UsageError(command ? `unknown command "${command}"` : 'which command?');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const source = parsed.values.source ?? process.env.LEGACY_DATABASE_URL;
  if (!source) throw new UsageError('--source is required (or LEGACY_DATABASE_URL): the legacy database to read');
  if (!/^postgres(ql)?:\/\//.test(source)) throw new UsageError(`--source must be a postgresql:// URL, not "${source}"`);
  const batchSize = wholeNumber(parsed.values['batch-size'], 'batch-size', 2000, 50_000);
  return { command: command as Command, source, state: parsed.values.state ?? process.env.MIGRATION_STATE_URL, batchSize, json: parsed.values.json, quiet: parsed.values.quiet };
}

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  const progress = options.quiet || options.json ? NO_PROGRESS : stderrProgress();
  const out = (text: string, json: unknown) => process.stdout.write(`${options.json ? JSON.stringify(json) : text}\n`);
  const served = await servedStores(storesFromEnv());
  // run and rollback write users directly: not while a move copies them between stores.
  if (options.command === 'run' || options.command === 'rollback') refuseWhileMoving(`migrate:legacy ${options.command}`, served);
  const connections = await openConnections(options.source, served.databases, options.state, options.command === 'plan');
  try {
    switch (options.command) {
      case 'plan': {
        const plan = await planMigration(connections, options.batchSize, progress);
        out(formatPlan(plan), plan);
        return 0;
      }
      case 'run': {
        const results = await runMigration(connections, { batchSize: options.batchSize, progress });
        const lines = results.map(
          (r) =>
            `${r.label.padEnd(28)} ${n(r.read).padStart(9)} read  ${n(r.written).padStart(9)} written  ${n(r.unchanged).padStart(9)} unchanged  ${n(r.skipped)} skipped  ${n(r.rejected)} rejected  ${r.vanished ? `${n(r.vanished)} gone from the source, undone  ` : ''}${n(Math.round(r.read / Math.max(r.seconds, 0.001)))} rows/s`,
        );
        const notCarried = await connections.state.notCarried(3);
        const rejected = notCarried.filter((row) => row.kind === 'rejected');
        if (rejected.length > 0) lines.push('', 'Could not be carried (see `stats`; the rest went on):', ...rejected.map((row) => `  ${row.entity} ${row.id}: ${row.reason}`));
        out(lines.length ? lines.join('\n') : 'Nothing to do: the last run completed and the source has not changed.', { results, rejected });
        return 0;
      }
      case 'verify': {
        const results = await verifyMigration(connections, options.batchSize, progress);
        out(formatVerification(results), { results, ok: verifiedOk(results) });
        return verifiedOk(results) ? 0 : 1;
      }
      case 'stats': {
        const stats = await migrationStats(connections);
        out(formatStats(stats), stats);
        return 0;
      }
      case 'rollback': {
        const removed = await rollbackMigration(connections, options.batchSize, progress);
        out(removed.map((r) => `${r.entity.padEnd(28)} ${n(r.removed)} removed`).join('\n'), removed);
        return 0;
      }
    }
  } finally {
    await connections.close();
  }
}

runTool('migrate:legacy', USAGE, main, 'Nothing half-written is left unrecorded: run the same command again once the cause is fixed; it resumes.');
