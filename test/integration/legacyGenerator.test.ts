import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { AS_OF } from '../../legacy/clock';
import { countDirt, expectedDirt } from '../../legacy/dirt';
import { generateLegacyDatabase, type GenerateResult } from '../../legacy/generateLegacyDatabase';
import { LEGACY_TABLES } from '../../legacy/loaders';
import { TargetNotEmptyError } from '../../legacy/prepareTarget';
import { legacyPasswordFor } from '../../legacy/passwords';
import { legacyUser, legacyUserIndex } from '../../legacy/tables/users';
import { databaseUrl, ensureDatabase } from '../../prisma/migrate';
import { verifyPassword } from '../../subgraphs/users/passwords';

/**
 * legacy/generate.ts against the test PostgreSQL: a small legacy database (50 users, the size at
 * which the generator still promises a few rows of every kind of dirt), made twice with one seed
 * and once with another.
 */

const ROOT = join(__dirname, '..', '..');
const USERS = 50;
const SEED = 42;

function adminUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run through jest (globalSetup)');
  return url;
}

const suffix = randomBytes(4).toString('hex');
const created: string[] = [];

/** A new, empty, uniquely named database on the test server; dropped after the file. */
async function freshDatabase(label: string): Promise<string> {
  const name = `legacy_${label}_${suffix}`;
  created.push(name);
  await ensureDatabase(adminUrl(), name);
  return databaseUrl(adminUrl(), name);
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

/** Every table's rows in a stable order, hashed: equal digests, equal data. */
async function digests(url: string): Promise<Record<string, string>> {
  return withClient(url, async (client) => {
    const result: Record<string, string> = {};
    for (const table of LEGACY_TABLES) {
      const { rows } = await client.query<{ digest: string }>(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM ${table} t`);
      result[table] = rows[0]!.digest;
    }
    return result;
  });
}

async function rowCounts(url: string): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of LEGACY_TABLES) {
      counts[table] = Number((await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`)).rows[0]!.count);
    }
    return counts;
  });
}

let url: string;
let result: GenerateResult;

beforeAll(async () => {
  url = await freshDatabase('main');
  result = await generateLegacyDatabase({ target: url, users: USERS, seed: SEED });
});

afterAll(async () => {
  await withClient(adminUrl(), async (client) => {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

describe('the legacy database generator', () => {
  it('fills every table in the stated proportions, and reports what it wrote', async () => {
    const counts = await rowCounts(url);
    expect(counts).toEqual(result.rows);
    expect(counts['auth.users']).toBe(USERS);
    expect(counts['auth.refresh_tokens']).toBe(USERS);
    expect(counts['payments.payments']).toBe(2 * USERS);
    // 1 to 3 transactions per payment, most payments having gone through several states.
    const perPayment = counts['payments.payment_transactions']! / counts['payments.payments']!;
    expect(perPayment).toBeGreaterThan(1.5);
    expect(perPayment).toBeLessThan(3);
    expect(counts['admin.audit_logs']).toBe(USERS);
    expect(counts['profile.user_profiles']).toBe(USERS);
    expect(counts['admin.system_config']).toBeGreaterThanOrEqual(24);
    expect(counts['admin.system_config']).toBeLessThanOrEqual(60);
    expect(result.totalRows).toBe(Object.values(counts).reduce((sum, n) => sum + n, 0));
    expect(result.rowsPerSecond).toBeGreaterThan(0);

    const perPaymentRange = await withClient(url, async (client) =>
      (await client.query<{ min: number; max: number }>(
        'SELECT min(n)::int AS min, max(n)::int AS max FROM (SELECT count(*) AS n FROM payments.payment_transactions GROUP BY payment_id) AS per_payment',
      )).rows[0]!,
    );
    expect(perPaymentRange).toEqual({ min: 1, max: 3 });
  });

  it('plants a few rows of every kind of dirt, and counts them', async () => {
    const dirt = await withClient(url, countDirt);
    expect(dirt).toEqual(expectedDirt(result.plan));
    expect(result.dirt).toEqual(dirt);
    for (const count of Object.values(dirt)) expect(count).toBeGreaterThanOrEqual(3);

    await withClient(url, async (client) => {
      // Case twins: two addresses each, equal ignoring case and nothing else.
      const { rows: twins } = await client.query<{ emails: string[] }>(
        'SELECT array_agg(email ORDER BY email) AS emails FROM auth.users GROUP BY lower(email) HAVING count(*) > 1',
      );
      for (const { emails } of twins) {
        expect(emails).toHaveLength(2);
        expect(emails[0]).not.toBe(emails[1]);
        expect(emails[0]!.toLowerCase()).toBe(emails[1]!.toLowerCase());
      }
      // The orphans got in before the foreign keys, which were then added NOT VALID; the rest are validated.
      const { rows: keys } = await client.query<{ conname: string; convalidated: boolean }>(
        `SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND connamespace::regnamespace::text IN ('auth', 'payments', 'admin', 'profile')`,
      );
      const notValid = keys.filter((key) => !key.convalidated).map((key) => key.conname).sort();
      expect(notValid).toEqual(['payments_recipient_id_fkey', 'payments_sender_id_fkey', 'user_profiles_user_id_fkey']);
      expect(keys.length).toBeGreaterThan(notValid.length);
      // ...and still guard new rows.
      await expect(
        client.query(`INSERT INTO profile.user_profiles (id, user_id) VALUES (gen_random_uuid(), gen_random_uuid())`),
      ).rejects.toThrow(/foreign key/);
    });
  });

  it('keeps time consistent: nothing after the snapshot, no payment before its users signed up', async () => {
    await withClient(url, async (client) => {
      const { rows } = await client.query<{ latest: Date; early: string }>(
        `SELECT greatest(
                  (SELECT max(greatest(created_at, updated_at)) FROM auth.users),
                  (SELECT max(greatest(created_at, updated_at, completed_at)) FROM payments.payments),
                  (SELECT max(created_at) FROM payments.payment_transactions),
                  (SELECT max(created_at) FROM admin.audit_logs),
                  (SELECT max(greatest(created_at, updated_at)) FROM profile.user_profiles)) AS latest,
                (SELECT count(*) FROM payments.payments p JOIN auth.users u ON u.id IN (p.sender_id, p.recipient_id)
                  WHERE p.created_at < u.created_at) AS early`,
      );
      expect(rows[0]!.latest.getTime()).toBeLessThanOrEqual(AS_OF);
      expect(Number(rows[0]!.early)).toBe(0);
    });
  });

  it('lets a legacy user sign in with the documented password (real Argon2id hashes)', async () => {
    for (const index of [0, 7, USERS - 1]) {
      const user = legacyUser(result.plan, index);
      const row = await withClient(url, async (client) =>
        (await client.query<{ email: string; password_hash: string }>('SELECT email, password_hash FROM auth.users WHERE id = $1', [user.id])).rows[0],
      );
      expect(row?.email).toBe(user.email);
      expect(row!.password_hash).toMatch(/^\$argon2id\$/);
      expect(user.password).toBe(`legacy-password-${index % 8}`);
      // Given only a migrated user's id, the password is still known.
      expect(legacyPasswordFor(legacyUserIndex(SEED, user.id)!)).toBe(user.password);
      expect(await verifyPassword(row!.password_hash, user.password)).toBe(true);
      expect(await verifyPassword(row!.password_hash, `${user.password}x`)).toBe(false);
    }
  });

  it('makes the same data from the same seed, whatever the batch size and parallelism, and other data from another', async () => {
    const again = await freshDatabase('again');
    await generateLegacyDatabase({ target: again, users: USERS, seed: SEED, batch: 7, jobs: 3 });
    const [first, second] = await Promise.all([digests(url), digests(again)]);
    for (const digest of Object.values(first)) expect(digest).toMatch(/^[0-9a-f]{32}$/); // no empty table compares equal by accident
    expect(second).toEqual(first);

    const other = await freshDatabase('other');
    await generateLegacyDatabase({ target: other, users: USERS, seed: SEED + 1 });
    const third = await digests(other);
    for (const table of LEGACY_TABLES) expect(third[table]).not.toBe(first[table]);
  });

  it('refuses a target that already has the legacy tables, unless told to reset it', async () => {
    const target = await freshDatabase('reset');
    await generateLegacyDatabase({ target, users: USERS, seed: SEED });
    const refusal = generateLegacyDatabase({ target, users: 30, seed: SEED });
    await expect(refusal).rejects.toThrow(TargetNotEmptyError);
    await expect(refusal).rejects.toThrow(/auth\.users \(has rows\).*--reset/);
    expect((await rowCounts(target))['auth.users']).toBe(USERS);

    await generateLegacyDatabase({ target, users: 30, seed: SEED, reset: true });
    expect((await rowCounts(target))['auth.users']).toBe(30);
  });

  it('exits 2 naming the bad option when the command line is wrong', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'legacy', 'generate.ts'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
    const badNumber = run('--target', url, '--users', 'lots');
    expect(badNumber.status).toBe(2);
    expect(badNumber.stderr).toContain('--users must be a whole number');
    expect(badNumber.stderr).toContain('"lots"');

    const unknown = run('--target', url, '--users', '100', '--sede', '3');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("'--sede'");
  });
});
