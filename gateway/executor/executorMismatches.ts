/**
 * The differences the differential executor found in this process, in order (each a JSON
 * description). Kept here so that a test run fails on them even when a test would accept the
 * response: test/support/stack.ts checks it when a stack stops.
 */
const found: string[] = [];

export function recordMismatch(description: string): void {
  found.push(description);
}

export function executorMismatches(): readonly string[] {
  return found;
}
