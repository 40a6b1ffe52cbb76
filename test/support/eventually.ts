/**
 * Polls `read` until `check` holds or `timeoutMs` passes, then returns the last value (the caller
 * asserts on it, so a timeout fails with the value seen). For effects that happen asynchronously,
 * such as events delivered by a transport.
 */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
