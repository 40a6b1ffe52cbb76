/** One implementation of a store contract, opened on a real engine for one suite, and how to let it go. */
export interface OpenedStore<S> {
  store: S;
  close(): Promise<void>;
}

/** Opens a fresh, empty implementation (its own database) for one run of a contract suite. */
export type StoreMaker<S> = () => Promise<OpenedStore<S>>;

/**
 * Runs one contract suite against every implementation of a store, each on its own fresh database,
 * so the implementations cannot drift: `tests` is written once against the contract, and a new
 * implementation is one more entry in `implementations`. `store()` is the implementation under
 * test, opened before the suite's first test and closed after its last.
 */
export function describeStoreContract<S>(
  contract: string,
  implementations: Record<string, StoreMaker<S>>,
  tests: (store: () => S) => void,
): void {
  describe.each(Object.entries(implementations))(`${contract} on %s`, (_name, make) => {
    let opened: OpenedStore<S> | undefined;
    beforeAll(async () => {
      opened = await make();
    });
    afterAll(async () => {
      await opened?.close();
    });
    tests(() => {
      if (!opened) throw new Error(`the ${contract} implementation did not open`);
      return opened.store;
    });
  });
}
