import { AppError, badInput, conflict } from '../../lib/errors';
import { domainEvent } from '../../lib/events/DomainEvent';
import { newId } from '../../lib/validate';
import type { Member, Team, TeamChange } from '../../subgraphs/teams/domain';
import { withoutMember } from '../../subgraphs/teams/forgetUser';
import type { TeamsData } from '../../subgraphs/teams/TeamsData';
import { auditedResources, testAudit } from '../support/audit';
import { describeStoreContract } from '../support/storeContract';
import { openMongoTeams, openPrismaTeams } from '../support/teamsStores';

/**
 * The teams' store contracts (TeamStore, TeamTokenStore, their processed events), the same tests
 * on MongoDB (FerretDB) and on PostgreSQL, so the two implementations cannot drift.
 */
const audit = testAudit('teams', 'test', 'Team');

const owners = (team: Team) => team.members.filter((member) => member.role === 'OWNER').map((member) => member.userId);

/** What the resolvers do when a member is removed: refused when it would leave no OWNER. */
const removing = (userId: string) => (team: Team): TeamChange => {
  const members = team.members.filter((member) => member.userId !== userId);
  if (!members.some((member) => member.role === 'OWNER')) throw badInput('userId', 'a team must keep at least one OWNER');
  return { members };
};

const adding = (userId: string, role: Member['role'] = 'MEMBER') => (team: Team): TeamChange => {
  if (team.members.some((member) => member.userId === userId)) throw conflict('the user is already a member of this team', 'userId');
  return { members: [...team.members, { userId, role, joinedAt: new Date() }] };
};

/** A team of `ownerCount` OWNERs (the founder first) and `memberCount` MEMBERs. */
async function teamOf(data: TeamsData, ownerCount: number, memberCount = 0): Promise<{ team: Team; owners: string[]; members: string[] }> {
  const ownerIds = Array.from({ length: ownerCount }, newId);
  const memberIds = Array.from({ length: memberCount }, newId);
  const created = await data.teams.create(`team ${newId().slice(0, 8)}`, ownerIds[0]!, audit);
  let joinedAt = created.createdAt.getTime();
  const team = await data.teams.change(created.id, (current) => ({
    members: [
      ...current.members,
      ...ownerIds.slice(1).map((userId) => ({ userId, role: 'OWNER' as const, joinedAt: new Date((joinedAt += 1000)) })),
      ...memberIds.map((userId) => ({ userId, role: 'MEMBER' as const, joinedAt: new Date((joinedAt += 1000)) })),
    ],
  }));
  return { team: team!, owners: ownerIds, members: memberIds };
}

async function settled<T>(runs: Promise<T>[]): Promise<{ won: T[]; refused: unknown[] }> {
  const results = await Promise.allSettled(runs);
  return {
    won: results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    refused: results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : [])),
  };
}

describeStoreContract<TeamsData>('the teams stores', { mongodb: openMongoTeams, postgresql: openPrismaTeams }, (data) => {
  describe('teams', () => {
    it('creates a team with its founder as the one OWNER, and its audit event with it', async () => {
      const owner = newId();
      const team = await data().teams.create('Compilers', owner, audit);
      expect(team).toMatchObject({ name: 'Compilers', revision: 0, members: [{ userId: owner, role: 'OWNER' }] });
      expect(team.members[0]!.joinedAt).toBeInstanceOf(Date);
      expect(await data().teams.findByIds([team.id])).toEqual([team]);
      expect((await auditedResources(data().teams.outbox())).has(team.id)).toBe(true);
    });

    it('finds teams by id and by member, newest first, and nothing for ids that are not teams', async () => {
      const user = newId();
      const first = await data().teams.create('first', user, audit);
      const second = (await teamOf(data(), 1)).team;
      const withUser = await data().teams.change(second.id, adding(user, 'ADMIN'));
      expect(await data().teams.findByMembers([user])).toEqual([withUser, first]);
      expect((await data().teams.findByIds([first.id, second.id, newId(), 'not-an-id'])).map((team) => team.id).sort()).toEqual([first.id, second.id].sort());
      expect(await data().teams.findByMembers([newId(), 'not-an-id'])).toEqual([]);
    });

    it('a change sees the current team, writes its result, bumps the revision and keeps the members in order', async () => {
      const { team } = await teamOf(data(), 2, 2);
      const reordered = [team.members[3]!, team.members[0]!, team.members[2]!, team.members[1]!];
      const changed = await data().teams.change(team.id, () => ({ name: 'renamed', members: reordered }), audit);
      expect(changed).toMatchObject({ id: team.id, name: 'renamed', revision: team.revision + 1, members: reordered });
      expect(await data().teams.findByIds([team.id])).toEqual([changed]);
    });

    it('a refused change writes nothing; a change without anything to write or record writes nothing either', async () => {
      const { team } = await teamOf(data(), 1, 1);
      await expect(data().teams.change(team.id, removing(team.members[0]!.userId), audit)).rejects.toThrow('a team must keep at least one OWNER');
      expect(await data().teams.findByIds([team.id])).toEqual([team]);
      expect(await data().teams.change(team.id, () => ({}))).toEqual(team);
      expect(await data().teams.findByIds([team.id])).toEqual([team]);
    });

    it('a deleted team leaves a tombstone with team.deleted in the outbox, and is no team to anyone asking', async () => {
      const { team } = await teamOf(data(), 1, 1);
      const deleted = await data().teams.change(team.id, () => ({ deleted: true }), audit);
      expect(deleted).toMatchObject({ id: team.id, members: [] });
      expect(deleted!.deletedAt).toBeInstanceOf(Date);
      expect(await data().teams.findByIds([team.id])).toEqual([]);
      expect(await data().teams.findByMembers([team.members[1]!.userId])).toEqual([]);
      expect(await data().teams.change(team.id, () => ({ name: 'again' }))).toBeNull();
      const unknown = newId();
      expect(await data().teams.statusOf([team.id, unknown])).toEqual(new Map([[team.id, 'deleted']]));
      const pending = await data().teams.outbox().pending(100_000);
      expect(pending.some((event) => event.type === 'team.deleted' && event.payload.teamId === team.id)).toBe(true);
    });

    it('reports a change of a team that does not exist as null', async () => {
      await expect(data().teams.change(newId(), () => ({ name: 'x' }))).resolves.toBeNull();
      await expect(data().teams.change('not-an-id', () => ({ name: 'x' }))).resolves.toBeNull();
    });

    it('lists live teams newest first in keyset pages, scans them in id order and counts them', async () => {
      const before = await data().teams.countLive();
      const made = [];
      for (let i = 0; i < 3; i++) made.push((await teamOf(data(), 1)).team);
      const gone = (await teamOf(data(), 1)).team;
      await data().teams.change(gone.id, () => ({ deleted: true }));
      expect(await data().teams.countLive()).toBe(before + 3);

      const firstPage = await data().teams.list({ limit: 2, after: null });
      expect(firstPage.map((team) => team.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
      const next = await data().teams.list({ limit: 2, after: { createdAt: made[2]!.createdAt, id: made[2]!.id } });
      expect(next.slice(0, 2).map((team) => team.id)).toEqual([made[1]!.id, made[0]!.id]);

      const scanned: string[] = [];
      for (let after: string | null = null; ; ) {
        const page = await data().teams.scan(after, 2);
        if (page.length === 0) break;
        scanned.push(...page.map((team) => team.id));
        after = page.at(-1)!.id;
      }
      expect(scanned).toEqual([...scanned].sort());
      expect(scanned).toHaveLength(before + 3);
      expect(scanned).not.toContain(gone.id);
      for (const team of made) expect(scanned).toContain(team.id);
    });
  });

  describe('concurrency rules', () => {
    it('concurrent removals of every OWNER never leave the team without one', async () => {
      const { team, owners: ownerIds } = await teamOf(data(), 4, 1);
      const { won, refused } = await settled(ownerIds.map((userId) => data().teams.change(team.id, removing(userId), audit)));
      expect(won).toHaveLength(3);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(AppError);
      const [after] = await data().teams.findByIds([team.id]);
      expect(owners(after!)).toHaveLength(1);
      expect(after!.members).toHaveLength(2);
      expect(after!.revision).toBe(team.revision + 3);
    });

    it('every member leaving at once (account deletions): an OWNER succeeds each time, the last one deletes the team', async () => {
      const { team } = await teamOf(data(), 1, 4);
      const users = team.members.map((member) => member.userId);
      const results = await Promise.all(users.map((userId) => data().teams.change(team.id, (current) => withoutMember(current, userId))));
      // Whatever the order, each change kept an OWNER among those left, and the last one left nobody.
      expect(results.filter((result) => result?.deletedAt)).toHaveLength(1);
      for (const result of results) if (result && !result.deletedAt) expect(owners(result)).toHaveLength(1);
      expect(await data().teams.statusOf([team.id])).toEqual(new Map([[team.id, 'deleted']]));
    });

    it('concurrent additions are all kept (no change is lost), and one user is added once', async () => {
      const { team } = await teamOf(data(), 1);
      const newcomers = Array.from({ length: 5 }, newId);
      await Promise.all(newcomers.map((userId) => data().teams.change(team.id, adding(userId), audit)));
      const twice = await settled([0, 1, 2].map(() => data().teams.change(team.id, adding(newcomers[0]!), audit)));
      expect(twice.won).toHaveLength(0);
      const [after] = await data().teams.findByIds([team.id]);
      expect(after!.members.map((member) => member.userId).sort()).toEqual([team.members[0]!.userId, ...newcomers].sort());
      expect(after!.revision).toBe(team.revision + 5);
    });
  });

  describe('team tokens', () => {
    it('authenticates a token for its team until it is revoked; a wrong secret or another id is nobody', async () => {
      const { team } = await teamOf(data(), 1);
      const creator = team.members[0]!.userId;
      const { token, record } = await data().tokens.create(team.id, 'ci', creator, audit);
      expect(record).toMatchObject({ teamId: team.id, name: 'ci', createdBy: creator, lastUsedAt: null, revokedAt: null });
      expect((await auditedResources(data().tokens.outbox())).has(record.id)).toBe(true);
      expect(await data().tokens.authenticate(token)).toEqual({ teamId: team.id, tokenId: record.id });
      expect((await data().tokens.listByTeam(team.id))[0]!.lastUsedAt).toBeInstanceOf(Date);
      expect(await data().tokens.authenticate(`${token.slice(0, -4)}AAAA`)).toBeNull();
      expect(await data().tokens.authenticate(`sft_${newId()}_${'a'.repeat(30)}`)).toBeNull();
      expect(await data().tokens.authenticate('sft_nonsense')).toBeNull();

      expect(await data().tokens.revoke(newId(), record.id, audit)).toBeNull();
      const revoked = await data().tokens.revoke(team.id, record.id, audit);
      expect(revoked?.revokedAt).toBeInstanceOf(Date);
      expect(await data().tokens.authenticate(token)).toBeNull();
    });

    it("lists a team's tokens newest first, and revokes them all with the team", async () => {
      const { team } = await teamOf(data(), 1);
      const creator = team.members[0]!.userId;
      const made = [];
      for (const name of ['a', 'b', 'c']) made.push(await data().tokens.create(team.id, name, creator, audit));
      expect((await data().tokens.listByTeam(team.id)).map((token) => token.name)).toEqual(['c', 'b', 'a']);
      await data().tokens.revokeAll(team.id);
      for (const { token } of made) expect(await data().tokens.authenticate(token)).toBeNull();
      expect((await data().tokens.listByTeam(team.id)).every((token) => token.revokedAt instanceof Date)).toBe(true);
      expect(await data().tokens.listByTeam(newId())).toEqual([]);
    });
  });

  describe('outbox and processed events', () => {
    it('relays what is pending and forgets what was published', async () => {
      const team = await data().teams.create('outboxed', newId(), audit);
      const outbox = data().teams.outbox();
      const mine = (await outbox.pending(100_000)).filter((event) => event.payload.resourceId === team.id);
      expect(mine).toHaveLength(1);
      expect(await outbox.markPublished(mine.map((event) => event.id))).toBe(1);
      expect((await outbox.pending(100_000)).some((event) => event.id === mine[0]!.id)).toBe(false);
    });

    it('runs an event’s effect once, however often it is delivered', async () => {
      const event = domainEvent('users', 'user.deleted', { userId: newId() });
      let runs = 0;
      const effect = async () => void (runs += 1);
      expect(await data().processed.once(event, effect)).toBe(true);
      expect(await data().processed.once(event, effect)).toBe(false);
      expect(runs).toBe(1);
    });
  });
});

describe('the teams stores on PostgreSQL, as three service instances on one database', () => {
  let opened: Awaited<ReturnType<typeof openPrismaTeams>>;
  let instances: TeamsData[];
  beforeAll(async () => {
    opened = await openPrismaTeams(2);
    instances = [opened.store, ...opened.others];
  });
  afterAll(() => opened.close());

  it('concurrent removals of every OWNER through different instances never leave the team without one', async () => {
    const { team, owners: ownerIds } = await teamOf(instances[0]!, 6, 1);
    const { won, refused } = await settled(ownerIds.map((userId, i) => instances[i % instances.length]!.teams.change(team.id, removing(userId), audit)));
    expect(won).toHaveLength(5);
    expect(refused).toHaveLength(1);
    const [after] = await instances[1]!.teams.findByIds([team.id]);
    expect(owners(after!)).toHaveLength(1);
  });

  it('concurrent additions through different instances are all kept', async () => {
    const { team } = await teamOf(instances[0]!, 1);
    const newcomers = Array.from({ length: 9 }, newId);
    await Promise.all(newcomers.map((userId, i) => instances[i % instances.length]!.teams.change(team.id, adding(userId), audit)));
    const [after] = await instances[2]!.teams.findByIds([team.id]);
    expect(after!.members).toHaveLength(10);
    expect(after!.revision).toBe(team.revision + 9);
  });
});
