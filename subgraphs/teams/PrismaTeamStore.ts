import { sqltag as sql } from '@prisma/client/runtime/client';
import { conflict } from '../../lib/errors';
import { writeOutbox, PrismaOutbox } from '../../lib/events/PrismaOutbox';
import type { AuditFor } from '../../lib/events/audit';
import { domainEvent, type DomainEvent, type TeamDeleted } from '../../lib/events/DomainEvent';
import type { OutboxSource } from '../../lib/events/OutboxRelay';
import type { Page } from '../../lib/pagination';
import { afterCursorWhere, NEWEST_FIRST_ORDER } from '../../lib/sqlPaging';
import { isId, newId } from '../../lib/validate';
import type { Prisma, PrismaClient } from '../../prisma/teams/generated/client';
import type { ChangedTeam, Member, Team, TeamChange, TeamStatus } from './domain';
import type { TeamStore } from './TeamStore';
import type { MoveAdapter } from '../../lib/storeMove/types';
import type { TeamRecord } from './move/records';

type Tx = Prisma.TransactionClient;

const WITH_MEMBERS = { members: { orderBy: { position: 'asc' } } } as const;
type TeamRow = Prisma.TeamGetPayload<{ include: typeof WITH_MEMBERS }>;

function toTeam(row: TeamRow): Team {
  return {
    id: row.id,
    name: row.name,
    members: row.members.map((m) => ({ userId: m.userId, role: m.role, joinedAt: m.joinedAt })),
    revision: row.revision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const memberRows = (teamId: string, members: readonly Member[]) =>
  members.map((member, position) => ({ teamId, userId: member.userId, role: member.role, joinedAt: member.joinedAt, position }));

/** Ids as PostgreSQL's uuid column takes them: anything else names no team (as on MongoDB). */
const uuids = (ids: readonly string[]) => ids.filter(isId).map((id) => id.toLowerCase());

/**
 * The teams' store on PostgreSQL. A change locks the team's row (SELECT ... FOR UPDATE) in a
 * transaction, decides on what it read there, and writes the team, its members and its events in
 * that transaction: concurrent changes of one team, from this process or any other instance, run
 * one after another, each on the state the previous one left.
 */
export class PrismaTeamStore implements TeamStore {
  constructor(private readonly db: PrismaClient) {}

  async findByIds(ids: readonly string[]): Promise<Team[]> {
    const rows = await this.db.team.findMany({ where: { id: { in: uuids(ids) }, deletedAt: null }, include: WITH_MEMBERS });
    return rows.map(toTeam);
  }

  async statusOf(ids: readonly string[]): Promise<Map<string, TeamStatus>> {
    const rows = await this.db.team.findMany({ where: { id: { in: uuids(ids) } }, select: { id: true, deletedAt: true } });
    return new Map(rows.map((row) => [row.id, row.deletedAt ? 'deleted' : 'live']));
  }

  async findByMembers(userIds: readonly string[]): Promise<Team[]> {
    const rows = await this.db.team.findMany({
      where: { deletedAt: null, members: { some: { userId: { in: uuids(userIds) } } } },
      include: WITH_MEMBERS,
      orderBy: NEWEST_FIRST_ORDER,
    });
    return rows.map(toTeam);
  }

  async scan(afterId: string | null, limit: number): Promise<Team[]> {
    const rows = await this.db.team.findMany({
      where: { deletedAt: null, ...(afterId ? { id: { gt: afterId } } : {}) },
      include: WITH_MEMBERS,
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map(toTeam);
  }

  countLive(): Promise<number> {
    return this.db.team.count({ where: { deletedAt: null } });
  }

  async list(page: Page): Promise<Team[]> {
    const rows = await this.db.team.findMany({
      where: { AND: [{ deletedAt: null }, afterCursorWhere(page.after)] },
      include: WITH_MEMBERS,
      orderBy: NEWEST_FIRST_ORDER,
      take: page.limit + 1,
    });
    return rows.map(toTeam);
  }

  create(name: string, ownerId: string, audit: AuditFor, id = newId()): Promise<Team> {
    return this.db.$transaction(async (tx) => {
      const now = new Date();
      const row = await tx.team.create({
        data: { id, name, revision: 0, createdAt: now, updatedAt: now, members: { create: [{ userId: ownerId, role: 'OWNER', joinedAt: now, position: 0 }] } },
        include: WITH_MEMBERS,
      });
      await writeOutbox(tx, [audit(id)]);
      return toTeam(row);
    });
  }

  outbox(): OutboxSource {
    return new PrismaOutbox(this.db);
  }

  /**
   * The teams as a move copies them (tombstones too). putIfNewer upserts a team only over a
   * lower revision (INSERT ... ON CONFLICT ... WHERE revision <), and replaces its members in the
   * same transaction; no outbox event.
   */
  moveAdapter(): MoveAdapter<TeamRecord> {
    const toRecord = (row: TeamRow): TeamRecord => ({ ...toTeam(row), deletedAt: row.deletedAt });
    return {
      scan: async (afterId, limit) =>
        (await this.db.team.findMany({ where: afterId ? { id: { gt: afterId } } : {}, include: WITH_MEMBERS, orderBy: { id: 'asc' }, take: limit })).map(toRecord),
      get: async (ids) => (await this.db.team.findMany({ where: { id: { in: uuids(ids) } }, include: WITH_MEMBERS })).map(toRecord),
      count: () => this.db.team.count(),
      putIfNewer: async (records) => {
        let applied = 0;
        for (const record of records) {
          const written = await this.db.$transaction(async (tx) => {
            const rows = await tx.$queryRaw<unknown[]>(sql`
              INSERT INTO teams (id, name, revision, created_at, updated_at, deleted_at)
              VALUES (${record.id}::uuid, ${record.name}, ${record.revision}, ${record.createdAt}, ${record.updatedAt}, ${record.deletedAt})
              ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, revision = EXCLUDED.revision, created_at = EXCLUDED.created_at,
                updated_at = EXCLUDED.updated_at, deleted_at = EXCLUDED.deleted_at
              WHERE teams.revision < EXCLUDED.revision
              RETURNING id`);
            if (rows.length === 0) return false;
            await tx.teamMember.deleteMany({ where: { teamId: record.id } });
            if (record.members.length > 0) await tx.teamMember.createMany({ data: memberRows(record.id, record.members) });
            return true;
          });
          if (written) applied += 1;
        }
        return applied;
      },
    };
  }

  async change(id: string, decide: (team: Team) => TeamChange, audit?: AuditFor): Promise<ChangedTeam | null> {
    if (!isId(id)) return null;
    try {
      return await this.db.$transaction((tx) => this.changeLocked(tx, id.toLowerCase(), decide, audit));
    } catch (error) {
      // Writers of one team wait for each other on its row; should PostgreSQL still give up on one
      // (a deadlock or write conflict, P2034), it is answered as the MongoDB store's exhausted retries.
      if ((error as { code?: string }).code === 'P2034') throw conflict('the team is being changed by someone else at the same time; try again');
      throw error;
    }
  }

  private async changeLocked(tx: Tx, id: string, decide: (team: Team) => TeamChange, audit?: AuditFor): Promise<ChangedTeam | null> {
    const locked = await tx.$queryRaw<{ id: string }[]>(sql`SELECT id FROM teams WHERE id = ${id}::uuid AND deleted_at IS NULL FOR UPDATE`);
    if (locked.length === 0) return null;
    const team = toTeam(await tx.team.findUniqueOrThrow({ where: { id }, include: WITH_MEMBERS }));
    const { deleted, ...change } = decide(team);
    // Nothing to change and nothing to record: no write (and the revision stays).
    if (!deleted && !audit && Object.keys(change).length === 0) return team;
    const events: DomainEvent[] = [
      ...(deleted ? [domainEvent<TeamDeleted>('teams', 'team.deleted', { teamId: id })] : []),
      ...(audit ? [audit(id)] : []),
    ];
    const now = new Date();
    const members = deleted ? [] : change.members;
    if (members) {
      await tx.teamMember.deleteMany({ where: { teamId: id } });
      if (members.length > 0) await tx.teamMember.createMany({ data: memberRows(id, members) });
    }
    const row = await tx.team.update({
      where: { id },
      data: { ...(change.name !== undefined && !deleted ? { name: change.name } : {}), revision: { increment: 1 }, updatedAt: now, ...(deleted ? { deletedAt: now } : {}) },
      include: WITH_MEMBERS,
    });
    await writeOutbox(tx, events);
    if (deleted) return { ...team, members: [], deletedAt: now };
    return toTeam(row);
  }
}
