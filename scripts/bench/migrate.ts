import { parseArgs } from 'node:util';
import { generateLegacyDatabase } from '../../legacy/generateLegacyDatabase';
import { databaseUrl, ensureDatabase } from '../../prisma/migrate';
import { storesEnv } from '../storesConfig';
import { startBenchEngines } from './benchEngines';
import { measureProcess } from './measureProcess';

/**
 * `npm run bench:migrate [-- --users N]`: generates a legacy source of N users (about 11 rows each:
 * 100,000 users make about 1.1 million rows) and a quarter of that, migrates each end to end into
 * fresh stores with the real command (its own process), and prints rows/s per table, the whole
 * run's time and the process's peak memory at both sizes (`--verify`: then verify's too). Targets: under 5 minutes and 300 MB at
 * 100,000 users, memory flat as the source grows.
 */
const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, 'batch-size': { type: 'string', default: '2000' }, verify: { type: 'boolean', default: false } } });
const users = Number(values.users);
if (!Number.isInteger(users) || users < 100) throw new Error(`--users must be a whole number of at least 100, not "${values.users}"`);

interface EntityRun {
  label: string;
  read: number;
  written: number;
  seconds: number;
}

async function main(): Promise<void> {
  const say = (message: string) => process.stdout.write(`${message}\n`);
  const engines = await startBenchEngines((message) => say(`[engines] ${message}`));
  const summary: string[] = [];
  try {
    for (const size of [Math.round(users / 4), users]) {
      const source = `bench_legacy_${size}`;
      await ensureDatabase(engines.postgresAdminUrl, source);
      const sourceUrl = databaseUrl(engines.postgresAdminUrl, source);
      say(`generating a legacy source of ${size.toLocaleString('en-US')} users...`);
      const generated = await generateLegacyDatabase({ target: sourceUrl, users: size, reset: true, log: () => undefined });
      const stores = await engines.freshDatabases();
      say(`migrating ${generated.totalRows.toLocaleString('en-US')} rows...`);
      const run = await measureProcess('migration/main.ts', ['run', '--source', sourceUrl, '--batch-size', values['batch-size']!, '--json'], {
        ...storesEnv(stores),
        MIGRATION_STATE_URL: databaseUrl(engines.postgresAdminUrl, `bench_state_${size}`),
      }, () => ensureDatabase(engines.postgresAdminUrl, `bench_state_${size}`));
      if (run.code !== 0) throw new Error(`the migration failed (${run.code}): ${run.stderr}`);
      const results = (JSON.parse(run.stdout) as { results: EntityRun[] }).results;
      const rows = results.reduce((sum, r) => sum + r.read, 0);
      say(`\n${size.toLocaleString('en-US')} users, ${rows.toLocaleString('en-US')} source rows read:`);
      for (const r of results) {
        say(`  ${r.label.padEnd(28)} ${r.read.toLocaleString('en-US').padStart(9)} rows  ${r.seconds.toFixed(1).padStart(6)} s  ${Math.round(r.read / Math.max(r.seconds, 0.001)).toLocaleString('en-US').padStart(7)} rows/s`);
      }
      let line = `${size.toLocaleString('en-US').padStart(7)} users: ${rows.toLocaleString('en-US')} rows in ${run.seconds.toFixed(0)} s (${Math.round(rows / run.seconds).toLocaleString('en-US')} rows/s), peak RSS ${run.peakRssMb.toFixed(0)} MiB`;
      if (values.verify) {
        const verify = await measureProcess('migration/main.ts', ['verify', '--source', sourceUrl, '--batch-size', values['batch-size']!, '--quiet'], {
          ...storesEnv(stores),
          MIGRATION_STATE_URL: databaseUrl(engines.postgresAdminUrl, `bench_state_${size}`),
        });
        if (verify.code !== 0) throw new Error(`verify failed (${verify.code}): ${verify.stdout}${verify.stderr}`);
        line += `; verify ${verify.seconds.toFixed(0)} s, peak RSS ${verify.peakRssMb.toFixed(0)} MiB`;
      }
      say(`  whole run: ${line}`);
      summary.push(line);
    }
    say(`\nbench:migrate\n${summary.map((line) => `  ${line}`).join('\n')}`);
  } finally {
    await engines.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:migrate failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
