import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MongoEngineChoice } from '../../engines/mongo';
import { startEngines } from '../../engines/startEngines';
import { prepareDatabase } from '../../prisma/migrate';
import type { ServiceDatabases } from '../seed';

export interface BenchEngines {
  postgresAdminUrl: string;
  mongoUrl: string;
  /** Fresh, migrated databases for the five services. */
  freshDatabases(): Promise<ServiceDatabases>;
  stop(): Promise<void>;
}

/**
 * The engines a benchmark runs on: BENCH_POSTGRES_URL / BENCH_MONGO_URL when given, else an
 * embedded PostgreSQL and mongod-or-FerretDB in a temporary directory, removed at the end.
 */
export async function startBenchEngines(log: (message: string) => void): Promise<BenchEngines> {
  const dir = mkdtempSync(join(tmpdir(), 'schemaflow-bench-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must get in
  const engines = await startEngines({
    dataDir: dir,
    postgresUrl: process.env.BENCH_POSTGRES_URL,
    needPostgres: true,
    needMongo: !process.env.BENCH_MONGO_URL,
    mongoEngine: (process.env.MONGO_ENGINE as MongoEngineChoice | undefined) ?? 'auto',
    ferretLogLevel: 'ERROR+4',
    log,
  });
  const postgresAdminUrl = engines.postgresAdminUrl!;
  const mongoUrl = process.env.BENCH_MONGO_URL ?? engines.mongoUrl!;
  return {
    postgresAdminUrl,
    mongoUrl,
    freshDatabases: async () => {
      const suffix = randomBytes(4).toString('hex');
      return {
        mongoUrl,
        usersDatabase: `bench_users_${suffix}`,
        teamsDatabase: `bench_teams_${suffix}`,
        projectsUrl: await prepareDatabase(postgresAdminUrl, 'projects', `bench_projects_${suffix}`),
        paymentsUrl: await prepareDatabase(postgresAdminUrl, 'payments', `bench_payments_${suffix}`),
        profilesUrl: await prepareDatabase(postgresAdminUrl, 'profiles', `bench_profiles_${suffix}`),
      };
    },
    stop: async () => {
      await engines.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

