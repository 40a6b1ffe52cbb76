import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations, databaseUrl, ensureDatabase, migrationsDir, POSTGRES_DATABASES, prepareDatabase, type PostgresDatabase } from '../../prisma/migrate';
import { diffDatabaseAgainstPrismaSchema } from '../support/prismaSchemaDiff';
import { testEngines } from '../support/stack';

const schemaFile = (database: PostgresDatabase) => join(__dirname, '..', '..', 'prisma', database, 'schema.prisma');
const migrationNames = (database: PostgresDatabase) =>
  readdirSync(migrationsDir(database), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

const { postgresUrl } = testEngines();
const suffix = randomBytes(4).toString('hex');
const created: string[] = [];

/** A new, empty, uniquely named database on the test server; dropped after the file. */
async function freshDatabase(label: string): Promise<{ name: string; url: string }> {
  const name = `migrations_${label}_${suffix}`;
  await ensureDatabase(postgresUrl, name);
  created.push(name);
  return { name, url: databaseUrl(postgresUrl, name) };
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await withClient(postgresUrl, async (client) => {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

describe.each(POSTGRES_DATABASES)('the %s database', (database) => {
  let url: string;

  beforeAll(async () => {
    const name = `migrations_${database}_${suffix}`;
    created.push(name);
    url = await prepareDatabase(postgresUrl, database, name);
  });

  it('matches its prisma/<name>/schema.prisma once migrated', async () => {
    expect(await diffDatabaseAgainstPrismaSchema(url, schemaFile(database))).toEqual([]);
  });

  it('applies nothing when migrated again', async () => {
    expect(await applyMigrations(url, database)).toEqual({ applied: [], alreadyApplied: migrationNames(database) });
  });

  it("records each migration as Prisma does: the file's SHA-256 and a finish time", async () => {
    const rows = await withClient(url, async (client) =>
      (
        await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }>(
          'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
        )
      ).rows,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(migrationNames(database));
    for (const row of rows) {
      const sql = readFileSync(join(migrationsDir(database), row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });
});

describe('applyMigrations', () => {
  it('applies every migration to an empty database, in order', async () => {
    const { url } = await freshDatabase('fresh');
    expect(await applyMigrations(url, 'profiles')).toEqual({ applied: migrationNames('profiles'), alreadyApplied: [] });
  });

  it('refuses a migration edited after it was applied, naming it', async () => {
    const { url } = await freshDatabase('edited');
    await applyMigrations(url, 'projects');
    const [name] = migrationNames('projects');
    // Editing the file after the fact looks, from the database, like a checksum that no longer matches.
    await withClient(url, (client) => client.query(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = $1`, [name]));
    await expect(applyMigrations(url, 'projects')).rejects.toThrow(`migration ${name} was changed after it was applied`);
  });

  it('refuses to go on past a migration that failed earlier', async () => {
    const { url } = await freshDatabase('failed');
    await applyMigrations(url, 'payments');
    const [name] = migrationNames('payments');
    await withClient(url, (client) => client.query(`UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = $1`, [name]));
    await expect(applyMigrations(url, 'payments')).rejects.toThrow(`migration ${name} failed earlier`);
  });

  it('two concurrent runs on one database apply each migration once', async () => {
    const { url } = await freshDatabase('concurrent');
    const results = await Promise.all([applyMigrations(url, 'payments'), applyMigrations(url, 'payments')]);
    const applied = results.flatMap((result) => result.applied);
    expect(applied.sort()).toEqual(migrationNames('payments'));
    expect(await diffDatabaseAgainstPrismaSchema(url, schemaFile('payments'))).toEqual([]);
  });
});

describe('the schema comparison itself', () => {
  it('reports every change made behind the migrations', async () => {
    const { url } = await freshDatabase('drift');
    await applyMigrations(url, 'payments');
    await withClient(url, async (client) => {
      await client.query('ALTER TABLE payments ADD COLUMN extra int');
      await client.query('ALTER TABLE payments ALTER COLUMN currency TYPE varchar(3)');
      await client.query('ALTER TABLE payments ALTER COLUMN description SET NOT NULL');
      await client.query('DROP INDEX payments_recipient_id_created_at_id_idx');
      await client.query('DROP INDEX payments_sender_id_idempotency_key_key');
      await client.query('CREATE INDEX payments_sender_id_idempotency_key_plain ON payments (sender_id, idempotency_key)');
      await client.query(`ALTER TYPE payment_type ADD VALUE 'REFUND'`);
      await client.query('ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_payment_id_fkey');
      await client.query(
        'ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments (id) ON DELETE SET NULL ON UPDATE CASCADE',
      );
      await client.query('CREATE TABLE leftovers (id int)');
    });
    const differences = await diffDatabaseAgainstPrismaSchema(url, schemaFile('payments'));
    const expected = [
      /^table leftovers: exists in the database but no model maps to it$/,
      /^column payments\.extra: exists in the database but not in model Payment$/,
      /^column payments\.currency: type is character varying\(3\), the schema says character\(3\)$/,
      /^column payments\.description: is NOT NULL, the schema says nullable$/,
      /^index on payments \(recipient_id, created_at, id\): missing/,
      /^unique index on payments \(sender_id, idempotency_key\): missing; found payments_sender_id_idempotency_key_plain/,
      /^index payments_sender_id_idempotency_key_plain on payments .*: exists in the database but not in model Payment$/,
      /^enum payment_type: values in the database but not in the schema: REFUND$/,
      /^foreign key payment_transactions \(payment_id\) → payments \(id\): ON DELETE is SetNull, the schema says Cascade$/,
    ];
    for (const pattern of expected) expect(differences).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    // Nothing else: each change is reported once and the untouched parts stay quiet.
    expect(differences).toHaveLength(expected.length);
  });

  it('reports a missing table, column, enum, foreign key and primary key', async () => {
    const { url } = await freshDatabase('missing');
    await applyMigrations(url, 'projects');
    await withClient(url, async (client) => {
      await client.query('ALTER TABLE project_versions DROP CONSTRAINT project_versions_project_id_fkey');
      await client.query('ALTER TABLE project_versions DROP COLUMN message');
      await client.query('ALTER TABLE projects DROP CONSTRAINT projects_pkey CASCADE');
    });
    const differences = await diffDatabaseAgainstPrismaSchema(url, schemaFile('projects'));
    expect(differences).toEqual(
      expect.arrayContaining([
        'column project_versions.message: missing (field ProjectVersion.message)',
        'foreign key project_versions (project_id) → projects (id): missing (relation ProjectVersion.project)',
        'primary key on projects (id): missing',
      ]),
    );
    expect(differences).toHaveLength(3);

    await withClient(url, async (client) => {
      await client.query('DROP TABLE project_versions');
      await client.query('ALTER TABLE projects DROP COLUMN type');
      await client.query('DROP TYPE project_type');
    });
    expect(await diffDatabaseAgainstPrismaSchema(url, schemaFile('projects'))).toEqual(
      expect.arrayContaining([
        'table project_versions: missing (model ProjectVersion)',
        'enum project_type: missing (enum ProjectType)',
        'column projects.type: missing (field Project.type)',
      ]),
    );
  });

  it('finds an empty database to be missing every table', async () => {
    const { url } = await freshDatabase('empty');
    const differences = await diffDatabaseAgainstPrismaSchema(url, schemaFile('profiles'));
    expect(differences).toEqual(['table user_profiles: missing (model UserProfile)', 'table processed_events: missing (model ProcessedEvent)',
      'table outbox_events: missing (model OutboxEvent)',
      'table deleted_users: missing (model DeletedUser)',
    ]);
  });
});
