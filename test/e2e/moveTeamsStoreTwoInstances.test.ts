import { openTeamsMoveState } from '../../subgraphs/teams/move/teamsMovable';
import { createUser } from '../support/fixtures';
import { PATIENT_DATABASE_TIMEOUTS, startStack, type Stack } from '../support/stack';
import { missingTokenWrites, missingWrites, moveTeamsOk, openTeamsOn, pause, TeamsLoad } from '../support/teamsMove';

/**
 * Two instances of teams behind the gateway (a round-robin TCP front: each gateway connection
 * goes to the next instance) while the move switches under write load: both instances hold
 * writes at the barrier and acknowledge, so no write accepted after the switch lands only in the
 * old store, and no request fails.
 */
describe('switching with two teams instances', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ teamsMove: { pollIntervalMs: 100 }, teamsInstances: 2, databaseTimeouts: PATIENT_DATABASE_TIMEOUTS });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('switches both instances together: every acknowledged write is in the new store', async () => {
    const users = [];
    for (const name of ['Eve Two', 'Fay Two', 'Gus Two', 'Hal Two']) users.push(await createUser(stack, name));
    const load = new TeamsLoad(stack, users);
    load.start();
    try {
      await pause(500);
      expect(await moveTeamsOk(stack, 'start', '--to', 'postgresql')).toMatch(/on 2 instance\(s\); backfill done/);
      await moveTeamsOk(stack, 'verify');
      const switched = await moveTeamsOk(stack, 'switch');
      expect(switched).toMatch(/reads and writes postgresql on 2 instance\(s\).*Longest write pause: \d+ ms/s);
      await pause(1000);
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    const postgres = await openTeamsOn(stack, 'postgresql');
    try {
      expect(await missingWrites(postgres, load.acknowledged)).toEqual([]);
      expect(await missingTokenWrites(postgres, load.tokens)).toEqual([]);
    } finally {
      await postgres.close();
    }
    // Both instances served the load and mirrored writes.
    expect(stack.teamsFront!.connections.every((count) => count > 0)).toBe(true);
    const state = await openTeamsMoveState({ home: 'mongodb', mongoUrl: stack.databases.mongoUrl, database: stack.databases.teamsDatabase, databaseUrl: stack.databases.teamsUrl! });
    try {
      const instances = await state.instances('teams', 3000);
      expect(instances).toHaveLength(2);
      expect(instances.every((instance) => instance.mirror.writes > 0)).toBe(true);
      const move = await state.read('teams');
      expect(instances.every((instance) => instance.generation === move!.generation)).toBe(true);
    } finally {
      await state.close();
    }
    expect(await moveTeamsOk(stack, 'verify')).toMatch(/the stores agree/);
  }, 120_000);
});
