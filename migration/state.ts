import { Client } from 'pg';
import type { Outcome } from './entity';

/**
 * What the migration has done, in a PostgreSQL database of its own (never the source, never a
 * service's): per entity the records it wrote (id and checksum: what re-runs compare against,
 * what rollback removes), the rows it did not carry and why, and where the current pass is.
 */
const SCHEMA = `
CREATE SCHEMA IF NOT EXISTS legacy_migration;
CREATE TABLE IF NOT EXISTS legacy_migration.carried (
  entity   text NOT NULL,
  id       text NOT NULL,
  -- NULL between announcing a write and recording it: the record may or may not be in the target.
  checksum text,
  PRIMARY KEY (entity, id)
);
-- When a pass last found the record's row in the source (to carry); a record not found by a whole
-- pass is gone from the source (or no longer carried by the rules) and is undone in the target.
ALTER TABLE legacy_migration.carried ADD COLUMN IF NOT EXISTS seen_at timestamptz;
ALTER TABLE legacy_migration.carried ADD COLUMN IF NOT EXISTS vanished_at timestamptz;
CREATE TABLE IF NOT EXISTS legacy_migration.not_carried (
  entity text NOT NULL,
  id     text NOT NULL,
  kind   text NOT NULL CHECK (kind IN ('skipped', 'rejected')),
  reason text NOT NULL,
  PRIMARY KEY (entity, id)
);
CREATE TABLE IF NOT EXISTS legacy_migration.checkpoints (
  entity     text PRIMARY KEY,
  after_key  text,
  done       boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE legacy_migration.checkpoints ADD COLUMN IF NOT EXISTS pass_started_at timestamptz NOT NULL DEFAULT now();`;

export interface Checkpoint {
  after: string | null;
  done: boolean;
}

export class MigrationState {
  private constructor(private readonly db: Client) {}

  static async open(url: string): Promise<MigrationState> {
    const db = new Client({ connectionString: url });
    db.on('error', () => undefined); // a cut connection fails the next query instead
    await db.connect();
    try {
      await db.query(SCHEMA);
    } catch (error) {
      await db.end();
      throw error;
    }
    return new MigrationState(db);
  }

  close(): Promise<void> {
    return this.db.end();
  }

  async checkpoints(): Promise<Map<string, Checkpoint>> {
    const rows = (await this.db.query<{ entity: string; after_key: string | null; done: boolean }>('SELECT entity, after_key, done FROM legacy_migration.checkpoints')).rows;
    return new Map(rows.map((row) => [row.entity, { after: row.after_key, done: row.done }]));
  }

  /** Starts a new pass over every entity (an incremental run after a complete one). */
  async startPass(entities: readonly string[]): Promise<void> {
    await this.db.query('DELETE FROM legacy_migration.checkpoints');
    await this.db.query(`INSERT INTO legacy_migration.checkpoints (entity) SELECT unnest($1::text[])`, [entities]);
  }

  /**
   * Records this entity carried before that the pass now ending did not find to carry: gone from
   * the source, or no longer carried by the rules. A batch at a time, not yet handled.
   */
  async vanished(entity: string, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT c.id FROM legacy_migration.carried c JOIN legacy_migration.checkpoints p ON p.entity = c.entity
        WHERE c.entity = $1 AND c.checksum IS NOT NULL AND c.vanished_at IS NULL AND (c.seen_at IS NULL OR c.seen_at < p.pass_started_at)
        ORDER BY c.id LIMIT $2`,
      [entity, limit],
    );
    return rows.rows.map((row) => row.id);
  }

  async markVanished(entity: string, ids: readonly string[]): Promise<void> {
    await this.db.query(`UPDATE legacy_migration.carried SET vanished_at = now() WHERE entity = $1 AND id = ANY($2::text[])`, [entity, ids]);
  }

  async finish(entity: string): Promise<void> {
    await this.db.query(`UPDATE legacy_migration.checkpoints SET done = true, updated_at = now() WHERE entity = $1`, [entity]);
  }

  /** The checksums recorded for these ids (null: announced, not confirmed). */
  async carried(entity: string, ids: readonly string[]): Promise<Map<string, string | null>> {
    const rows = (await this.db.query<{ id: string; checksum: string | null }>(`SELECT id, checksum FROM legacy_migration.carried WHERE entity = $1 AND id = ANY($2::text[])`, [entity, ids])).rows;
    return new Map(rows.map((row) => [row.id, row.checksum]));
  }

  /** Before writing new records: so a crash after the write still knows they are the migration's. */
  async announce(entity: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`INSERT INTO legacy_migration.carried (entity, id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [entity, ids]);
  }

  /**
   * After a batch's writes: the checksums of what was written, what was not carried and why, ids
   * announced but refused by the target (conflicts), and the new checkpoint: all in one transaction.
   */
  async record(
    entity: string,
    written: readonly Outcome[],
    notCarried: readonly { id: string; kind: 'skipped' | 'rejected'; reason: string }[],
    abandoned: readonly string[],
    seen: readonly string[],
    after: string,
  ): Promise<void> {
    await this.db.query('BEGIN');
    try {
      const ids = written.map((item) => item.id);
      const sums = written.map((item) => ('checksum' in item ? item.checksum : null));
      if (ids.length > 0) {
        await this.db.query(
          `INSERT INTO legacy_migration.carried (entity, id, checksum) SELECT $1, * FROM unnest($2::text[], $3::text[])
           ON CONFLICT (entity, id) DO UPDATE SET checksum = EXCLUDED.checksum`,
          [entity, ids, sums],
        );
        await this.db.query(`DELETE FROM legacy_migration.not_carried WHERE entity = $1 AND id = ANY($2::text[])`, [entity, ids]);
      }
      if (abandoned.length > 0) await this.db.query(`DELETE FROM legacy_migration.carried WHERE entity = $1 AND id = ANY($2::text[]) AND checksum IS NULL`, [entity, abandoned]);
      if (notCarried.length > 0) {
        await this.db.query(
          `INSERT INTO legacy_migration.not_carried (entity, id, kind, reason) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
           ON CONFLICT (entity, id) DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason`,
          [entity, notCarried.map((item) => item.id), notCarried.map((item) => item.kind), notCarried.map((item) => item.reason)],
        );
      }
      if (seen.length > 0) {
        await this.db.query(`UPDATE legacy_migration.carried SET seen_at = now(), vanished_at = NULL WHERE entity = $1 AND id = ANY($2::text[])`, [entity, seen]);
      }
      await this.db.query(`UPDATE legacy_migration.checkpoints SET after_key = $2, updated_at = now() WHERE entity = $1`, [entity, after]);
      await this.db.query('COMMIT');
    } catch (error) {
      await this.db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async counts(): Promise<Map<string, { carried: number; skipped: number; rejected: number }>> {
    const result = new Map<string, { carried: number; skipped: number; rejected: number }>();
    const entry = (entity: string) => result.get(entity) ?? (result.set(entity, { carried: 0, skipped: 0, rejected: 0 }), result.get(entity)!);
    for (const row of (await this.db.query<{ entity: string; n: string }>('SELECT entity, count(*) AS n FROM legacy_migration.carried GROUP BY entity')).rows) entry(row.entity).carried = Number(row.n);
    for (const row of (await this.db.query<{ entity: string; kind: 'skipped' | 'rejected'; n: string }>('SELECT entity, kind, count(*) AS n FROM legacy_migration.not_carried GROUP BY entity, kind')).rows) {
      entry(row.entity)[row.kind] = Number(row.n);
    }
    return result;
  }

  /** Rows not carried, with reasons, a few per entity and kind (for reports). */
  async notCarried(limit: number): Promise<{ entity: string; id: string; kind: string; reason: string }[]> {
    return (
      await this.db.query(
        `SELECT entity, id, kind, reason FROM (SELECT *, row_number() OVER (PARTITION BY entity, kind ORDER BY id) AS n FROM legacy_migration.not_carried) x WHERE n <= $1 ORDER BY entity, kind, id`,
        [limit],
      )
    ).rows;
  }

  /** The ids the migration wrote for an entity, after `after`, a batch at a time (rollback). */
  async carriedIds(entity: string, after: string | null, limit: number): Promise<string[]> {
    return (await this.db.query<{ id: string }>(`SELECT id FROM legacy_migration.carried WHERE entity = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`, [entity, after, limit])).rows.map((row) => row.id);
  }

  async forget(entity: string, ids: readonly string[]): Promise<void> {
    await this.db.query(`DELETE FROM legacy_migration.carried WHERE entity = $1 AND id = ANY($2::text[])`, [entity, ids]);
  }

  /** After a rollback: nothing left to remember. */
  async reset(): Promise<void> {
    await this.db.query('DELETE FROM legacy_migration.carried; DELETE FROM legacy_migration.not_carried; DELETE FROM legacy_migration.checkpoints;');
  }
}
