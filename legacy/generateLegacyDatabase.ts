import { Client } from 'pg';
import { countDirt, type LegacyDirt } from './dirt';
import { LEGACY_TABLES, legacyLoaders, type Loader } from './loaders';
import { legacyPasswordHashes } from './passwords';
import { legacyPlan, type LegacyPlan } from './plan';
import { legacySchemaSql, prepareTarget } from './prepareTarget';

export interface GenerateOptions {
  /** Connection string of the (existing) database to fill. */
  target: string;
  users: number;
  /** Same seed, same rows. */
  seed?: number;
  /** Rows per INSERT statement. */
  batch?: number;
  /** Connections loading in parallel. */
  jobs?: number;
  /** Drop and recreate the legacy schemas if they exist. */
  reset?: boolean;
  /** Progress lines; silent when omitted. */
  log?: (line: string) => void;
}

export interface GenerateResult {
  plan: LegacyPlan;
  /** Rows written per table, schema-qualified. */
  rows: Record<string, number>;
  totalRows: number;
  /** Wall time of the whole run, and of the data load alone. */
  seconds: number;
  loadSeconds: number;
  /** totalRows over the whole run's time. */
  rowsPerSecond: number;
  /** As counted in the database afterwards. */
  dirt: LegacyDirt;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_BATCH = 5_000;
/** One connection generates while the other's INSERT runs; more only helps with more cores. */
export const DEFAULT_JOBS = 2;

const PROGRESS_EVERY_MS = 5_000;

const seconds = (since: number) => (performance.now() - since) / 1000;
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

async function connect(target: string): Promise<Client> {
  const client = new Client({ connectionString: target, application_name: 'legacy-generate' });
  await client.connect();
  return client;
}

/** A batch of one loader's rows: the unit of work each connection takes in turn. */
interface Piece {
  loader: Loader;
  start: number;
  end: number;
}

function* pieces(loaders: readonly Loader[], batch: number): Generator<Piece> {
  for (const loader of loaders) {
    for (let start = 0; start < loader.size; start += batch) yield { loader, start, end: Math.min(loader.size, start + batch) };
  }
}

/**
 * Loads every table through `jobs` connections, each taking the next batch as it finishes its
 * last: while one connection's INSERT runs in PostgreSQL, this process makes the next batch for
 * another. Only the batches in flight are in memory. Logs each table as it completes.
 */
async function loadAll(clients: readonly Client[], loaders: readonly Loader[], batch: number, log: (line: string) => void): Promise<Record<string, number>> {
  const rows: Record<string, number> = Object.fromEntries(LEGACY_TABLES.map((table) => [table, 0]));
  const progress = new Map(loaders.map((loader) => [loader, { done: 0, startedAt: 0 }]));
  const queue = pieces(loaders, batch);
  let failure: unknown = null;

  const work = async (client: Client) => {
    for (let next = queue.next(); !next.done && failure === null; next = queue.next()) {
      const { loader, start, end } = next.value;
      const state = progress.get(loader)!;
      if (state.startedAt === 0) state.startedAt = performance.now();
      const written = await loader.load(client, start, end);
      for (const [table, count] of Object.entries(written)) rows[table] = (rows[table] ?? 0) + count;
      state.done += end - start;
      if (state.done === loader.size) {
        const took = seconds(state.startedAt);
        for (const table of loader.tables) {
          log(`  ${table.padEnd(32)} ${thousands(rows[table] ?? 0).padStart(11)} rows  ${took.toFixed(1).padStart(6)} s`);
        }
      }
    }
  };
  // A big table takes a while: say how far the unfinished ones have got, every few seconds.
  const ticker = setInterval(() => {
    for (const [loader, state] of progress) {
      if (state.startedAt === 0 || state.done === loader.size) continue;
      log(`  ${loader.tables[0]!.padEnd(32)} ${thousands(state.done).padStart(11)} of ${thousands(loader.size)}...`);
    }
  }, PROGRESS_EVERY_MS);
  try {
    // Each worker stops taking batches once any has failed; the first error is the one reported.
    await Promise.all(
      clients.map((client) =>
        work(client).catch((error: unknown) => {
          failure ??= error;
        }),
      ),
    );
  } finally {
    clearInterval(ticker);
  }
  if (failure !== null) throw failure;
  return rows;
}

/**
 * Creates the legacy shared database's four schemas in `target` (legacy/schema.sql) and fills
 * them with deterministic, realistically dirty data for `users` users: see legacy/README.md.
 */
export async function generateLegacyDatabase(options: GenerateOptions): Promise<GenerateResult> {
  const startedAt = performance.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? DEFAULT_SEED;
  const batch = options.batch ?? DEFAULT_BATCH;
  const jobs = options.jobs ?? DEFAULT_JOBS;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new Error('batch must be a positive whole number');
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new Error('jobs must be a positive whole number');
  const plan = legacyPlan(options.users, seed);
  const { beforeLoad, afterLoad } = legacySchemaSql();

  const clients: Client[] = [];
  try {
    for (let i = 0; i < jobs; i++) clients.push(await connect(options.target));
    const main = clients[0]!;
    // Hashing (a few hundred ms of Argon2 on libuv threads) overlaps the catalogue checks.
    const hashes = legacyPasswordHashes(seed);
    hashes.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    await main.query('BEGIN');
    try {
      await prepareTarget(main, options.reset ?? false);
      await main.query(beforeLoad);
      await main.query('COMMIT');
    } catch (error) {
      await main.query('ROLLBACK').catch(() => {}); // the error that got us here is the one to report
      throw error;
    }
    log(`legacy database: ${thousands(plan.users)} users, seed ${seed}, ${jobs} connection(s), ${thousands(batch)} rows per INSERT`);

    // Each INSERT commits on its own; not waiting for each commit's WAL flush (a crash could lose
    // the last few batches, never corrupt anything) takes that wait out of the loop. This session only.
    for (const client of clients) await client.query('SET synchronous_commit = off');
    const loadStartedAt = performance.now();
    const rows = await loadAll(clients, legacyLoaders(plan, await hashes), batch, log).catch((error: unknown) => {
      throw new Error(`loading stopped part way (${(error as Error).message}); the legacy schemas hold partial data: run again with --reset`, { cause: error });
    });
    const loadSeconds = seconds(loadStartedAt);

    const constraintsStartedAt = performance.now();
    await main.query(afterLoad);
    await main.query(`ANALYZE ${LEGACY_TABLES.join(', ')}`);
    log(`  foreign keys, indexes, ANALYZE ${''.padEnd(21)}${seconds(constraintsStartedAt).toFixed(1).padStart(6)} s`);

    const dirt = await countDirt(main);
    const totalRows = Object.values(rows).reduce((sum, n) => sum + n, 0);
    const took = seconds(startedAt);
    const result: GenerateResult = { plan, rows, totalRows, seconds: took, loadSeconds, rowsPerSecond: totalRows / took, dirt };
    log(
      `${thousands(totalRows)} rows in ${took.toFixed(1)} s: ${thousands(result.rowsPerSecond)} rows/s ` +
        `(load alone ${loadSeconds.toFixed(1)} s, ${thousands(totalRows / loadSeconds)} rows/s)`,
    );
    log(
      `dirt: ${dirt.caseDuplicateEmailGroups} emails equal but for case, ${dirt.usersWithoutName} users without a name, ` +
        `${dirt.paymentsWithMissingUser} payments of deleted users, ${dirt.profilesWithMissingUser} profiles of deleted users, ` +
        `${dirt.expiredRefreshTokens} expired refresh tokens`,
    );
    return result;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}
