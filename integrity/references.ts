import type { Reference, ReferenceScan } from '../lib/references';
import { forgetUser as forgetUserMemberships } from '../subgraphs/teams/forgetUser';
import type { OpenStores } from './stores';

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

/** A store's keyset scan of one kind of reference (one per referring record), as a check reads it. */
function scanned<Kind extends string>(store: ReferenceScan<Kind>, kind: Kind): Pick<ReferenceCheck, 'total' | 'batch'> {
  return {
    total: () => store.countReferences(kind),
    batch: async (after, size) => {
      const references = await store.scanReferences(kind, after, size);
      return { references, rows: references.length, last: references.at(-1)?.source ?? null };
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
      const done = await stores.projects.forgetUser(userId);
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
      ...scanned(stores.projects, 'owner'),
      status: users,
      keepsDeleted: false,
      rule: "the owner's personal projects are deleted; team projects stay with the team without an owner",
      repair: projectsForgetUser,
    },
    {
      name: 'projects.team_id → teams',
      ...scanned(stores.projects, 'team'),
      status: teams,
      keepsDeleted: false,
      rule: 'the projects go back to their owners; those without an owner are deleted',
      repair: (targets) =>
        sumOver(targets, async (teamId) => {
          const done = await stores.projects.forgetTeam(teamId);
          return done.deleted + done.detached;
        }),
    },
    {
      name: 'project_versions.author_id → users',
      ...scanned(stores.projects, 'versionAuthor'),
      status: users,
      keepsDeleted: false,
      rule: 'the versions stay without an author (with the rule for the projects of a deleted user)',
      repair: projectsForgetUser,
    },
    {
      name: 'payments.sender_id → users',
      ...scanned(stores.payments, 'sender'),
      status: users,
      keepsDeleted: true,
      rule: null,
    },
    {
      name: 'payments.recipient_id → users',
      ...scanned(stores.payments, 'recipient'),
      status: users,
      keepsDeleted: true,
      rule: null,
    },
    {
      name: 'user_profiles.user_id → users',
      ...scanned(stores.profiles, 'user'),
      status: users,
      keepsDeleted: false,
      rule: 'the profile is deleted',
      repair: (targets) => sumOver(targets, (userId) => stores.profiles.forgetUser(userId)),
    },
  ];
}
