import type { ProcessedEventRecord } from '../../lib/events/MongoProcessedEvents';
import { checksum } from '../../lib/storeMove/checksum';
import type { MoveAdapter } from '../../lib/storeMove/types';
import { newId } from '../../lib/validate';
import type { TeamRecord, TeamTokenRecord } from '../../subgraphs/teams/move/records';
import type { TeamsData } from '../../subgraphs/teams/TeamsData';
import { testAudit } from '../support/audit';
import type { OpenedStore } from '../support/storeContract';
import { openMongoTeams, openPrismaTeams } from '../support/teamsStores';

/**
 * The teams' move adapters on real engines (FerretDB and PostgreSQL), the same tests for both:
 * what one store's adapter reads, the other's writes back identically (same checksum), and
 * putIfNewer never lets an older state win.
 */
const ENGINES: [string, () => Promise<OpenedStore<TeamsData>>][] = [
  ['mongodb', openMongoTeams],
  ['postgresql', openPrismaTeams],
];

const at = (iso: string) => new Date(iso);

const team = (revision: number, name: string, overrides: Partial<TeamRecord> = {}): TeamRecord => ({
  id: '6f1c1f0e-4b7e-4c1e-9a43-000000000001',
  name,
  members: [
    { userId: '6f1c1f0e-4b7e-4c1e-9a43-0000000000a1', role: 'OWNER', joinedAt: at('2026-01-01T00:00:00.123Z') },
    { userId: '6f1c1f0e-4b7e-4c1e-9a43-0000000000a2', role: 'MEMBER', joinedAt: at('2026-01-02T00:00:00.000Z') },
  ],
  revision,
  createdAt: at('2026-01-01T00:00:00.123Z'),
  updatedAt: at(`2026-01-0${Math.min(revision + 1, 9)}T00:00:00.000Z`),
  deletedAt: null,
  ...overrides,
});

describe.each(ENGINES)('the teams move adapters on %s', (_engine, open) => {
  let opened: OpenedStore<TeamsData>;
  let data: TeamsData;

  beforeAll(async () => {
    opened = await open();
    data = opened.store;
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('writes a team only over a lower revision, and gives it back as it was put', async () => {
    const adapter = data.moveAdapters.teams!;
    expect(await adapter.putIfNewer([team(2, 'Second')])).toBe(1);
    expect(await adapter.putIfNewer([team(1, 'First (older)')])).toBe(0);
    expect(await adapter.putIfNewer([team(2, 'Second again')])).toBe(0);
    const [stored] = (await adapter.get([team(2, 'x').id])) as TeamRecord[];
    expect(checksum(stored)).toBe(checksum(team(2, 'Second')));
    expect(await adapter.putIfNewer([team(3, 'Deleted', { members: [], deletedAt: at('2026-02-01T00:00:00.000Z') })])).toBe(1);
    expect(await data.teams.findByIds([team(3, 'x').id])).toEqual([]);
    expect((await data.teams.statusOf([team(3, 'x').id])).get(team(3, 'x').id)).toBe('deleted');
    // The tombstone is still a record of the move's.
    expect((await adapter.scan(null, 10)).map((record) => record.id)).toContain(team(3, 'x').id);
  });

  it('scans every record in id order, in keyset batches', async () => {
    const audit = testAudit('teams', 'createTeam', 'Team');
    for (let i = 0; i < 5; i++) await data.teams.create(`Scanned ${i}`, newId(), audit);
    const adapter = data.moveAdapters.teams!;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const batch = await adapter.scan(after, 2);
      if (batch.length === 0) break;
      seen.push(...batch.map((record) => record.id));
      after = batch[batch.length - 1]!.id;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toHaveLength(await adapter.count());
  });

  it('merges tokens: the later last use and revocation win, whatever the order', async () => {
    const audit = testAudit('teams', 'createTeam', 'Team');
    const owner = newId();
    const created = await data.teams.create('Token team', owner, audit);
    const adapter = data.moveAdapters.team_tokens as MoveAdapter<TeamTokenRecord>;
    const token: TeamTokenRecord = {
      id: newId(),
      teamId: created.id,
      name: 'ci',
      createdBy: owner,
      secretHash: 'a'.repeat(64),
      createdAt: at('2026-03-01T00:00:00.000Z'),
      lastUsedAt: at('2026-03-02T00:00:00.000Z'),
      revokedAt: null,
    };
    expect(await adapter.putIfNewer([token])).toBe(1);
    await adapter.putIfNewer([{ ...token, lastUsedAt: at('2026-03-05T00:00:00.000Z'), revokedAt: at('2026-03-06T00:00:00.000Z') }]);
    await adapter.putIfNewer([{ ...token, lastUsedAt: at('2026-03-03T00:00:00.000Z') }]);
    expect(await adapter.get([token.id])).toEqual([{ ...token, lastUsedAt: at('2026-03-05T00:00:00.000Z'), revokedAt: at('2026-03-06T00:00:00.000Z') }]);
    expect(await adapter.putIfNewer([token])).toBe(0);
  });

  it('inserts a handled event once', async () => {
    const adapter = data.moveAdapters.processed_events as MoveAdapter<ProcessedEventRecord>;
    const event = { id: newId(), type: 'user.deleted', processedAt: at('2026-04-01T00:00:00.000Z') };
    expect(await adapter.putIfNewer([event])).toBe(1);
    expect(await adapter.putIfNewer([{ ...event, type: 'other' }])).toBe(0);
    expect(await adapter.get([event.id])).toEqual([event]);
  });
});
