import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that cannot be run as given: reported with the usage, exit code 2. */
export class UsageError extends Error {}

/** node's parseArgs, with its complaints (unknown option, missing value) as UsageErrors. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** An option that must be a whole number from 1 to `max`; `fallback` when not given. */
export function wholeNumber(value: string | undefined, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) throw new UsageError(`--${option} must be a whole number from 1 to ${max}, not "${value}"`);
  return parsed;
}

/**
 * Runs an operator tool's `main` and exits with its code: 2 with the usage for a UsageError, 3 with
 * the message (and `afterFailure`, what to do next) for anything else.
 */
export function runTool(name: string, usage: string, main: (argv: string[]) => Promise<number>, afterFailure = ''): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\n${usage}\n`);
        process.exit(2);
      }
      process.stderr.write(`${name}: failed: ${(error as Error).message ?? String(error)}\n${afterFailure ? `${afterFailure}\n` : ''}`);
      process.exit(3);
    },
  );
}
