import { cleanEnv, num } from 'envalid';
import { parseCommandLine, UsageError, wholeNumber } from '../lib/cli';
import { throwingReporter } from '../lib/env';
import { NO_PROGRESS, stderrProgress } from '../lib/progress';
import { DEFAULT_FOLLOWER_OPTIONS } from '../lib/storeMove/MoveFollower';
import { MOVE_VERBS, MoveCommand, type MoveVerb } from '../lib/storeMove/MoveCommand';
import { MoveError } from '../lib/storeMove/MoveError';
import { STORE_ENGINES, type StoreEngine } from '../lib/storeMove/types';
import { MOVABLE_SERVICES, MOVABLES, type MovableService } from './movables';

export const USAGE = `usage: npm run move-store -- <${MOVABLE_SERVICES.join('|')}> <${MOVE_VERBS.join('|')}> [--to <${STORE_ENGINES.join('|')}>] [--only <id>] [--dry-run] [--batch-size N (1-10000, default 500)] [--json] [--quiet]`;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 done, 1 the stores differ (verify, rollback), 2 bad usage or input, 4 the move's phase or instances refused. */
const EXIT_FOR: Partial<Record<MoveError['code'], number>> = { MOVE_BAD_INPUT: 2, MOVE_BAD_TARGET: 2, MOVE_MISMATCH: 1 };

/**
 * `npm run move-store`: parses the command line and the environment once, runs one verb, prints
 * its report (or its data with --json) and returns the exit code. A refused verb prints its code
 * and what was wrong (never a stack trace).
 */
export async function runMoveStore(argv: string[], environment: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const { values, positionals } = parseCommandLine({
    args: argv,
    options: {
      to: { type: 'string' },
      only: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  try {
    const [service, verb, ...rest] = positionals;
    if (!service || !verb) throw new UsageError('name a service and a verb');
    if (rest.length > 0) throw new MoveError('MOVE_BAD_INPUT', `unexpected argument "${rest[0]}"`);
    if (!(MOVABLE_SERVICES as readonly string[]).includes(service)) throw new MoveError('MOVE_BAD_INPUT', `unknown service "${service}": one of ${MOVABLE_SERVICES.join(', ')}`);
    if (!(MOVE_VERBS as readonly string[]).includes(verb)) throw new MoveError('MOVE_BAD_INPUT', `unknown verb "${verb}": one of ${MOVE_VERBS.join(', ')}`);
    if (values.to !== undefined && !(STORE_ENGINES as readonly string[]).includes(values.to)) throw new MoveError('MOVE_BAD_INPUT', `--to must be ${STORE_ENGINES.join(' or ')}, not "${values.to}"`);
    if ((verb === 'plan' || verb === 'start') && !values.to) throw new MoveError('MOVE_BAD_INPUT', `${verb} needs --to <${STORE_ENGINES.join('|')}>`);
    const batchSize = wholeNumber(values['batch-size'], 'batch-size', 500, 10_000);
    const env = cleanEnv(environment, { MOVE_POLL_INTERVAL_MS: num({ default: DEFAULT_FOLLOWER_OPTIONS.pollIntervalMs }), MOVE_BARRIER_TIMEOUT_MS: num({ default: 10_000 }) }, { reporter: throwingReporter });
    const movable = MOVABLES[service as MovableService](environment);
    const command = await MoveCommand.open(movable, {
      batchSize,
      progress: values.quiet || values.json ? NO_PROGRESS : stderrProgress(),
      barrierTimeoutMs: env.MOVE_BARRIER_TIMEOUT_MS,
      // Twelve of the instances' polls: one that missed that many is gone.
      liveForMs: Math.max(3000, 12 * env.MOVE_POLL_INTERVAL_MS),
    });
    try {
      if (values.to && verb !== 'plan' && verb !== 'start') {
        const state = await command.state();
        if (state?.to && state.to !== values.to) throw new MoveError('MOVE_BAD_TARGET', `the move of ${service} goes to ${state.to}, not ${values.to}`);
      }
      const outcome = await command.run(verb as MoveVerb, { to: values.to as StoreEngine | undefined, only: values.only, dryRun: values['dry-run'] });
      output.out(values.json ? JSON.stringify(outcome.data) : outcome.text);
      return outcome.exitCode;
    } finally {
      await command.close();
    }
  } catch (error) {
    if (!(error instanceof MoveError)) throw error;
    if (values.json) output.out(JSON.stringify({ error: { code: error.code, message: error.message } }));
    output.err(`move-store: ${error.code}: ${error.message}`);
    return EXIT_FOR[error.code] ?? 4;
  }
}
