import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreEngine } from '../../lib/storeMove/types';
import { addMember, createTeam, createUser, expectNoErrors, as } from '../support/fixtures';
import { PATIENT_DATABASE_TIMEOUTS, startStack, type Stack } from '../support/stack';
import { refuseWhileMoving, servedStores } from '../../scripts/servedStores';
import { missingTokenWrites, missingWrites, moveTeams, moveTeamsOk, openTeamsOn, ROOT, TeamsLoad } from '../support/teamsMove';

/**
 * The teams service moves MongoDB → PostgreSQL → MongoDB while signed-in users read their
 * dashboards and write teams (create, rename, add and remove members, create and revoke API
 * tokens) through the real gateway, with `npm run move-store` (run in this
 * process) driving each phase: no client request fails, every acknowledged write is in the new
 * store after each switch, the same queries answer the same, the supergraph file is untouched;
 * then a third move is rolled back after its switch and loses nothing written in between.
 */
const STABLE = `query($t: ID!, $u: ID!) {
  team(id: $t) { name memberCount members { edges { node { role user { name } } } } }
  user(id: $u) { name teams { edges { node { name memberCount } } } }
}`;

const SUPERGRAPH = join(ROOT, 'schema', 'supergraph.graphql');

describe('moving the teams store under load', () => {
  let stack: Stack;
  let load: TeamsLoad;
  let stable: { team: string; user: string };
  let answersBefore: unknown;
  const supergraphBefore = readFileSync(SUPERGRAPH);

  beforeAll(async () => {
    stack = await startStack({ teamsMove: { pollIntervalMs: 100, shadowReadShare: 0.5 }, databaseTimeouts: PATIENT_DATABASE_TIMEOUTS });
    const users = [];
    for (const name of ['Ann Load', 'Bob Load', 'Cid Load', 'Dee Load']) users.push(await createUser(stack, name));
    const owner = await createUser(stack, 'Stable Owner');
    const member = await createUser(stack, 'Stable Member');
    const team = await createTeam(stack, 'Stable Team', owner);
    await addMember(stack, team, member, 'ADMIN');
    stable = { team, user: member };
    answersBefore = expectNoErrors(await stack.query(STABLE, { t: team, u: member }, as(member)));
    load = new TeamsLoad(stack, users);
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await stack?.stop();
  });

  const expectWritesIn = async (engine: StoreEngine) => {
    const data = await openTeamsOn(stack, engine);
    try {
      expect(await missingWrites(data, load.acknowledged)).toEqual([]);
      expect(await missingTokenWrites(data, load.tokens)).toEqual([]);
    } finally {
      await data.close();
    }
  };

  it('refuses verbs out of order, with a code and what was wrong', async () => {
    const early = await moveTeams(stack, 'switch', '--to', 'postgresql');
    expect(early.code).toBe(4);
    expect(early.err).toMatch(/^move-store: MOVE_WRONG_PHASE: teams has no move in progress/);
    const same = await moveTeams(stack, 'start', '--to', 'mongodb');
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/MOVE_BAD_TARGET: teams is on mongodb already/);
    const verb = await moveTeams(stack, 'jump', '--to', 'postgresql');
    expect(verb.err).toMatch(/MOVE_BAD_INPUT: unknown verb "jump"/);
    const users = await moveTeams(stack, 'plan', '--to', 'postgresql');
    expect(users.code).toBe(0);
    expect(users.out).toMatch(/plan: move teams from mongodb to postgresql \(nothing was written\)/);
  });

  /** Where the operator tools (integrity, migrate:legacy) find the teams, with TEAMS_STORE as the service has it and unset. */
  async function expectToolsRead(engine: 'mongodb' | 'postgresql', { moving }: { moving: boolean }): Promise<void> {
    for (const env of [{ TEAMS_STORE: 'mongodb' }, {}]) {
      const served = await servedStores(stack.databases, env);
      expect(served.databases.teamsUrl).toBe(engine === 'postgresql' ? stack.databases.teamsUrl : undefined);
      expect(served.moving).toEqual(moving ? ['teams'] : []);
      if (moving) expect(() => refuseWhileMoving('integrity --repair', served)).toThrow(/writes teams records, which are being moved between stores now/);
    }
  }

  it('moves to PostgreSQL with no failed request and every acknowledged write there', async () => {
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await moveTeamsOk(stack, 'start', '--to', 'postgresql')).toMatch(/backfill done/);
    await expectToolsRead('mongodb', { moving: true });
    const notDoneYet = await moveTeams(stack, 'finish');
    expect(notDoneYet.err).toMatch(/MOVE_WRONG_PHASE: finish needs the move of teams at switched, but it is at dual/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await moveTeamsOk(stack, 'verify')).toMatch(/the stores agree/);
    const switched = await moveTeamsOk(stack, 'switch');
    expect(switched).toMatch(/reads and writes postgresql on 1 instance/);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.acknowledged.size).toBeGreaterThan(3);
    expect(load.tokens.size).toBeGreaterThan(0);
    await expectWritesIn('postgresql');
    // Still mirrored to the old store: the way back stays open.
    await expectWritesIn('mongodb');
    const status = await moveTeamsOk(stack, 'status');
    expect(status).toMatch(/teams: switched \(moving mongodb → postgresql/);
    expect(status).toMatch(/shadow reads: [1-9]\d* made, 0 mismatched/);
    load.start();
    expect(await moveTeamsOk(stack, 'verify')).toMatch(/the stores agree/);
    expect(await moveTeamsOk(stack, 'finish')).toMatch(/mongodb is no longer written/);
    await expectToolsRead('postgresql', { moving: false });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.stop();
    expect(load.failures).toEqual([]);
    await expectWritesIn('postgresql');
  }, 120_000);

  it('moves back to MongoDB the same way', async () => {
    load.start();
    expect(await moveTeamsOk(stack, 'start', '--to', 'mongodb')).toMatch(/backfill done/);
    expect(await moveTeamsOk(stack, 'verify')).toMatch(/the stores agree/);
    expect(await moveTeamsOk(stack, 'switch')).toMatch(/reads and writes mongodb/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.stop();
    expect(load.failures).toEqual([]);
    await expectWritesIn('mongodb');
    expect(await moveTeamsOk(stack, 'finish')).toMatch(/teams is on mongodb/);
    await expectToolsRead('mongodb', { moving: false });
  }, 120_000);

  it('rolls back after a switch, losing nothing written in between', async () => {
    load.start();
    await moveTeamsOk(stack, 'start', '--to', 'postgresql');
    await moveTeamsOk(stack, 'verify');
    await moveTeamsOk(stack, 'switch');
    // Writes land on PostgreSQL now, mirrored to MongoDB.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rolledBack = await moveTeamsOk(stack, 'rollback');
    expect(rolledBack).toMatch(/every record of postgresql is in mongodb: nothing written since the switch was lost/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.stop();
    expect(load.failures).toEqual([]);
    await expectWritesIn('mongodb');
    expect(await moveTeamsOk(stack, 'status')).toMatch(/teams: rolledBack/);
    const again = await moveTeams(stack, 'rollback');
    expect(again.err).toMatch(/MOVE_WRONG_PHASE: teams has no move to roll back/);
  }, 120_000);

  it('answers the same queries the same, and leaves the supergraph file as it was', async () => {
    expect(expectNoErrors(await stack.query(STABLE, { t: stable.team, u: stable.user }, as(stable.user)))).toEqual(answersBefore);
    expect(readFileSync(SUPERGRAPH).equals(supergraphBefore)).toBe(true);
  });
});
