import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type { RawSql } from '../lib/events/PrismaOutbox';
import { ProfileStore } from '../subgraphs/profiles/store';
import { forgetTeam, forgetUser as forgetUserProjects } from '../subgraphs/projects/store';
import { forgetUser as forgetUserMemberships } from '../subgraphs/teams/forgetUser';
import type { OpenStores } from './stores';

/** One reference from a row of one store to an entity of another. */
export interface Reference {
  /** The referring row (a project, a payment, a team...). */
  source: string;
  /** The id it refers to. */
  target: string;
}

/** What a referenced id is in its own store: there, a deleted user's tombstone, or nothing. */
export type TargetStatus = 'live' | 'deleted';

/**
 * One kind of cross-database reference, scanned in batches in the order of the referring rows'
 * ids (keyset pagination: memory does not grow with the store, and rows repaired on the way do
 * not shift the scan).
 */
export interface ReferenceCheck {
  name: string;
  /** How many referring rows there are (for progress). */
  total(): Promise<number>;
  /** The references of up to `size` referring rows after `after`, how many rows, and the last row's id. */
  batch(after: string | null, size: number): Promise<{ references: Reference[]; rows: number; last: string | null }>;
  status(targets: readonly string[]): Promise<Map<string, TargetStatus>>;
  /** References to a deleted entity are kept on purpose (payments: financial records stay). */
  keepsDeleted: boolean;
  /** The delete rule the repair applies to an orphan, in words; null when nothing is repaired. */
  rule: string | null;
  /** Applies the rule to these orphaned target ids; returns how many rows changed. */
  repair?(targets: readonly string[]): Promise<number>;
}

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/** Keyset batches of `table.column` (a uuid reference) by the table's uuid `id`. */
function sqlReferences(db: RawSql, table: string, column: string): Pick<ReferenceCheck, 'total' | 'batch'> {
  const t = raw(`"${table}"`);
  const c = raw(`"${column}"`);
  return {
    total: async () => Number((await db.$queryRaw<{ n: bigint }[]>(sql`SELECT count(*) AS n FROM ${t} WHERE ${c} IS NOT NULL`))[0]!.n),
    batch: async (after, size) => {
      const rows = await db.$queryRaw<{ id: string; ref: string }[]>(
        sql`SELECT id::text AS id, ${c}::text AS ref FROM ${t} WHERE ${c} IS NOT NULL AND id > ${after ?? FIRST_UUID}::uuid ORDER BY id LIMIT ${size}`,
      );
      return { references: rows.map((row) => ({ source: row.id, target: row.ref })), rows: rows.length, last: rows.at(-1)?.id ?? null };
    },
  };
}

async function sumOver(targets: readonly string[], repairOne: (target: string) => Promise<number>): Promise<number> {
  let changed = 0;
  for (const target of targets) changed += await repairOne(target);
  return changed;
}

/** Every cross-database reference in the product, with the delete rule that repairs it. */
export function referenceChecks(stores: OpenStores): ReferenceCheck[] {
  const users = (targets: readonly string[]) => stores.users.statusOf(targets);
  const teams = (targets: readonly string[]) => stores.teams.statusOf(targets);
  const projectsForgetUser = (targets: readonly string[]) =>
    sumOver(targets, async (userId) => {
      const done = await stores.projects.$transaction((tx) => forgetUserProjects(tx, userId));
      return done.deleted + done.detached + done.versionsReassigned;
    });
  // Memberships first: their repair may delete a team, whose projects the next checks then see.
  return [
    {
      name: 'teams.members → users',
      total: () => stores.teams.countLive(),
      batch: async (after, size) => {
        const page = await stores.teams.scan(after, size);
        return {
          references: page.flatMap((team) => team.members.map((member) => ({ source: team.id, target: member.userId }))),
          rows: page.length,
          last: page.at(-1)?.id ?? null,
        };
      },
      status: users,
      keepsDeleted: false,
      rule: 'the member is removed; a team without an OWNER gets its longest-standing ADMIN (else MEMBER) as OWNER; an empty team is deleted',
      repair: (targets) =>
        sumOver(targets, async (userId) => (await forgetUserMemberships(stores.teams, stores.teamTokens, userId)).teams),
    },
    {
      name: 'projects.owner_id → users',
      ...sqlReferences(stores.projects, 'projects', 'owner_id'),
      status: users,
      keepsDeleted: false,
      rule: "the owner's personal projects are deleted; team projects stay with the team without an owner",
      repair: projectsForgetUser,
    },
    {
      name: 'projects.team_id → teams',
      ...sqlReferences(stores.projects, 'projects', 'team_id'),
      status: teams,
      keepsDeleted: false,
      rule: 'the projects go back to their owners; those without an owner are deleted',
      repair: (targets) =>
        sumOver(targets, async (teamId) => {
          const done = await stores.projects.$transaction((tx) => forgetTeam(tx, teamId));
          return done.deleted + done.detached;
        }),
    },
    {
      name: 'project_versions.author_id → users',
      ...sqlReferences(stores.projects, 'project_versions', 'author_id'),
      status: users,
      keepsDeleted: false,
      rule: 'the versions stay without an author (with the rule for the projects of a deleted user)',
      repair: projectsForgetUser,
    },
    {
      name: 'payments.sender_id → users',
      ...sqlReferences(stores.payments, 'payments', 'sender_id'),
      status: users,
      keepsDeleted: true,
      rule: null,
    },
    {
      name: 'payments.recipient_id → users',
      ...sqlReferences(stores.payments, 'payments', 'recipient_id'),
      status: users,
      keepsDeleted: true,
      rule: null,
    },
    {
      name: 'user_profiles.user_id → users',
      ...sqlReferences(stores.profiles, 'user_profiles', 'user_id'),
      status: users,
      keepsDeleted: false,
      rule: 'the profile is deleted',
      repair: (targets) => sumOver(targets, (userId) => ProfileStore.deleteOf(stores.profiles, userId)),
    },
  ];
}
