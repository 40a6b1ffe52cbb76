/**
 * Runs tasks one after another per key (different keys run side by side). Used where a store must
 * read, decide and write one document without another writer in between: atomic on MongoDB with a
 * conditional update, but FerretDB 1.x applies updates as unlocked read-modify-write, so within
 * this process the queue is what keeps two writers from both winning.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.tails.set(key, next);
    const forget = () => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  }
}
