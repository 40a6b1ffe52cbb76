import { sqltag as sql } from '@prisma/client/runtime/client';
import type { RawSql } from '../events/PrismaOutbox';
import type { MoveStateStore } from './MoveStateStore';
import type { InstanceReport, Intent, MoveState } from './types';

/**
 * The move's shared state on a PostgreSQL home store: the tables `store_moves`,
 * `store_move_instances` and `store_move_intents` of the service's database (a migration of its
 * prisma/<service> schema). Raw SQL, so any service's Prisma client will do.
 */
export class PrismaMoveStateStore implements MoveStateStore {
  constructor(
    private readonly db: RawSql,
    /** Called by close() when the client was opened for this store alone (the command). */
    private readonly disconnect: () => Promise<void> = async () => undefined,
  ) {}

  async read(service: string): Promise<MoveState | null> {
    const rows = await this.db.$queryRaw<{ state: MoveState }[]>(sql`SELECT state FROM store_moves WHERE service = ${service}`);
    return rows[0]?.state ?? null;
  }

  async save(next: MoveState, expectedRevision: number | null): Promise<boolean> {
    const state = JSON.stringify(next);
    const changed =
      expectedRevision === null
        ? await this.db.$executeRaw(
            sql`INSERT INTO store_moves (service, revision, state) VALUES (${next.service}, ${next.revision}, ${state}::jsonb) ON CONFLICT (service) DO NOTHING`,
          )
        : await this.db.$executeRaw(
            sql`UPDATE store_moves SET revision = ${next.revision}, state = ${state}::jsonb WHERE service = ${next.service} AND revision = ${expectedRevision}`,
          );
    return changed === 1;
  }

  async report(report: InstanceReport): Promise<void> {
    await this.db.$executeRaw(sql`
      INSERT INTO store_move_instances (instance_id, service, seen_at, report)
      VALUES (${report.instanceId}, ${report.service}, ${report.seenAt}, ${JSON.stringify(report)}::jsonb)
      ON CONFLICT (instance_id) DO UPDATE SET seen_at = EXCLUDED.seen_at, report = EXCLUDED.report`);
  }

  async instances(service: string, liveForMs: number): Promise<InstanceReport[]> {
    const since = new Date(Date.now() - liveForMs);
    await this.db.$executeRaw(sql`DELETE FROM store_move_instances WHERE service = ${service} AND seen_at < ${new Date(since.getTime() - 10 * liveForMs)}`);
    const rows = await this.db.$queryRaw<{ report: InstanceReport }[]>(
      sql`SELECT report FROM store_move_instances WHERE service = ${service} AND seen_at >= ${since}`,
    );
    return rows.map(({ report }) => ({ ...report, seenAt: new Date(report.seenAt) }));
  }

  async addIntent(intent: Intent): Promise<void> {
    await this.db.$executeRaw(
      sql`INSERT INTO store_move_intents (id, service, at, intent) VALUES (${intent.id}::uuid, ${intent.service}, ${intent.at}, ${JSON.stringify(intent)}::jsonb)`,
    );
  }

  async clearIntent(id: string): Promise<void> {
    await this.db.$executeRaw(sql`DELETE FROM store_move_intents WHERE id = ${id}::uuid`);
  }

  async intents(service: string, before: Date, limit: number): Promise<Intent[]> {
    const rows = await this.db.$queryRaw<{ intent: Intent }[]>(
      sql`SELECT intent FROM store_move_intents WHERE service = ${service} AND at < ${before} ORDER BY at, id LIMIT ${limit}`,
    );
    return rows.map(({ intent }) => ({ ...intent, at: new Date(intent.at) }));
  }

  close(): Promise<void> {
    return this.disconnect();
  }
}
