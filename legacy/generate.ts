import { parseArgs } from 'node:util';
import { DEFAULT_BATCH, DEFAULT_JOBS, DEFAULT_SEED, generateLegacyDatabase } from './generateLegacyDatabase';
import { MIN_USERS } from './plan';
import { TargetNotEmptyError } from './prepareTarget';

/**
 * `npx tsx legacy/generate.ts --target <postgres url> --users N [--seed S] [--batch B] [--jobs J] [--reset]`
 *
 * Creates the legacy shared database (legacy/schema.sql) in an existing database and fills it
 * with deterministic synthetic data, dirt included; see legacy/README.md. --users 100000 makes
 * about two million rows. Exit 0 when done, 1 when the target refuses or the run fails, 2 on a
 * mistake in the command line.
 */

const USAGE = `usage: npx tsx legacy/generate.ts --target <postgres url> --users N [options]

  --target URL   database to fill (must exist), e.g. postgresql://user:pass@host:5432/legacy
  --users N      users to make (at least ${MIN_USERS}); the other tables follow in proportion
  --seed S       whole number from 0 to 4294967295 (default ${DEFAULT_SEED}): same seed, same data
  --batch B      rows per INSERT statement (default ${DEFAULT_BATCH})
  --jobs J       connections loading in parallel (default ${DEFAULT_JOBS})
  --reset        drop the schemas auth, payments, admin and profile first (CASCADE: objects
                 elsewhere that depend on them go too); without it a target that already has
                 tables there is refused
  --help         this text`;

function usage(message: string): never {
  console.error(`legacy/generate: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

/** A whole number in [min, max] given as `--name`, or the default when absent. */
function wholeNumber(name: string, text: string | undefined, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) usage(`--${name} is required`);
    return fallback;
  }
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    usage(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return value;
}

function commandLine() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        target: { type: 'string' },
        users: { type: 'string' },
        seed: { type: 'string' },
        batch: { type: 'string' },
        jobs: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
  } catch (error) {
    // parseArgs names the option: "Unknown option '--user'", "Option '--users <value>' argument missing".
    usage((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.target === undefined) usage('--target is required');
  let target: URL;
  try {
    target = new URL(values.target);
  } catch {
    usage(`--target must be a postgres:// or postgresql:// URL, not ${JSON.stringify(values.target)}`);
  }
  if (target.protocol !== 'postgres:' && target.protocol !== 'postgresql:') {
    usage(`--target must be a postgres:// or postgresql:// URL, not a ${target.protocol} one`);
  }
  return {
    target: values.target,
    users: wholeNumber('users', values.users, MIN_USERS, 50_000_000),
    seed: wholeNumber('seed', values.seed, 0, 4_294_967_295, DEFAULT_SEED),
    batch: wholeNumber('batch', values.batch, 1, 1_000_000, DEFAULT_BATCH),
    jobs: wholeNumber('jobs', values.jobs, 1, 64, DEFAULT_JOBS),
    reset: values.reset,
  };
}

async function main(): Promise<void> {
  const options = commandLine();
  await generateLegacyDatabase({ ...options, log: (line) => console.log(line) });
}

main().catch((error: unknown) => {
  // A refusal is an answer, not a crash: no stack trace.
  if (error instanceof TargetNotEmptyError) console.error(`legacy/generate: refused: ${error.message}`);
  // Errors with a code come from PostgreSQL or the network (no such database, refused connection):
  // their message says it all. Anything else is a bug here, and its stack helps.
  else if (typeof (error as { code?: unknown }).code === 'string') console.error(`legacy/generate failed: ${(error as Error).message}`);
  else console.error('legacy/generate failed:', error);
  process.exit(1);
});
