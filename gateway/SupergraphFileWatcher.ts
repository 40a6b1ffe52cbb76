import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApolloGateway, type SupergraphManager } from '@apollo/gateway';
import type { Logger } from '../lib/logger';

/** How long the directory must stay quiet before the file is read again (a write or rename comes as several events). */
const DEFAULT_DEBOUNCE_MS = 100;

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** What the gateway hands a supergraph manager (@apollo/gateway does not export the type). */
type HookOptions = Parameters<SupergraphManager['initialize']>[0];
type Update = HookOptions['update'];

/**
 * Serves the gateway its supergraph from a file, and each new version of that file without a
 * restart, through @apollo/gateway's own `SupergraphManager` hook: `initialize` returns the first
 * supergraph, and `update` swaps in the next one synchronously, between two turns of the event
 * loop. A request in flight keeps what it already holds: Apollo Server validated it against the
 * schema of its start, and once planned it runs its plan with the subgraph clients, supergraph and
 * API schema of that moment (the gateway's executor passes them to `executeQueryPlan`).
 *
 * The directory is watched, not the file: `npm run compose`, editors and Kubernetes ConfigMap
 * volumes (which swap a `..data` symlink) replace the file rather than write into it, and a watch
 * on the file itself would stay on the replaced inode. Any event in the directory leads, once it
 * has been quiet for `debounceMs`, to reading the file again; a text already seen (taken or
 * refused) is left alone, so unrelated files and repeated events cost one read.
 *
 * A supergraph that does not load (unparsable, half written, not a supergraph, subgraphs that do
 * not compose) is refused and logged, and the last good one keeps serving; the next change of the
 * file is tried again. It is first loaded into a throwaway gateway: `update` refuses such a text
 * too, but only some checks run before the gateway starts changing its state. One whose
 * subgraphs cannot be extracted (a `@key` on a field its subgraph lacks...) throws from `update`
 * after the new API schema is in place and the old query planner is not, so queries valid in the
 * schema clients see would start to fail.
 */
export class SupergraphFileWatcher implements SupergraphManager {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The file's text as last read: what is serving, or what was last refused. */
  private lastText = '';
  /** Reloads run one after another; `stop` waits for the one under way. */
  private reloading: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {}

  async initialize({ update }: HookOptions): Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }> {
    // Watch before the first read, so that a change made in between is not missed. The watch does
    // not keep the process alive by itself; the gateway's cleanup closes it.
    this.watcher = watch(dirname(this.file), { persistent: false }, () => this.schedule(update));
    this.watcher.on('error', (error) => this.logger.error(`stopped watching ${this.file}; the current supergraph keeps serving`, error));
    try {
      this.lastText = await readFile(this.file, 'utf8');
    } catch (error) {
      await this.stop();
      throw error;
    }
    return { supergraphSdl: this.lastText, cleanup: () => this.stop() };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    await this.reloading;
  }

  private schedule(update: Update): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reloading = this.reloading.then(() => this.reload(update));
    }, this.debounceMs);
    this.timer.unref();
  }

  private async reload(update: Update): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      // Between an editor's delete and create, say: the next event tries again.
      this.logger.warn(`cannot read ${this.file}; the current supergraph keeps serving`, error);
      return;
    }
    if (this.stopped || text === this.lastText) return;
    this.lastText = text;
    try {
      await loadsCleanly(text);
      // A stop may have begun while the candidate loaded; `update` would throw then.
      if (this.stopped) return;
      update(text);
      this.logger.info(`took the new supergraph in ${this.file}`);
    } catch (error) {
      this.logger.error(`refused the new supergraph in ${this.file}; the last good one keeps serving`, {
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * Throws unless a gateway could load `supergraphSdl`: the same parsing, supergraph validation,
 * subgraph extraction and query planner the serving gateway's `update` will then go through, in a
 * gateway of its own that is discarded (it makes subgraph clients but sends nothing).
 */
async function loadsCleanly(supergraphSdl: string): Promise<void> {
  const candidate = new ApolloGateway({ supergraphSdl, validateSupergraph: true, logger: SILENT });
  await candidate.load();
  await candidate.stop();
}
