import { setFlagsFromString } from 'node:v8';

/**
 * Bounds how far V8 lets the heap grow past what the last full collection found live, in
 * percent (V8's `--heap-growing-percent`; 0 leaves V8's own choice).
 *
 * Left to itself V8 lets a busy heap grow to up to four times what is live before it collects in
 * full: the gateway, with ~60 MB live, held ~350 MB under load, nearly all of it garbage that
 * was already dead (every answer it serializes is a large string that only a full collection
 * frees). At 50% it collects sooner: 235 against 335 MiB peak in the standard scenario of
 * `npm run bench:gateway`, for ~3% more CPU per request. V8 reads the setting at each full
 * collection, so set at start it applies to the whole life of the process.
 */
export function limitHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new Error(`heap growth must be a whole number of percent, not ${percent}`);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
