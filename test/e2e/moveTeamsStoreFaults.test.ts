import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer, connect as connectTcp, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../engines/freePort';
import { newId } from '../../lib/validate';
import type { MoveState } from '../../lib/storeMove/types';
import { openTeamsMoveState } from '../../subgraphs/teams/move/teamsMovable';
import { testAudit } from '../support/audit';
import { eventually } from '../support/eventually';
import { as, createUser } from '../support/fixtures';
import { signedPost, startStack, type Stack } from '../support/stack';
import { moveTeams, moveTeamsOk, moveTeamsProcess, openTeamsOn, pause, ROOT } from '../support/teamsMove';

/**
 * What a move survives: `move-store ... start` SIGKILLed mid-backfill resumes from its checkpoint
 * to the same end state; a teams instance SIGKILLed after its write reached the old store but
 * before the write was mirrored loses nothing (its journaled intent is replayed).
 */
const TEAMS = 600;

describe('a store move survives kills', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ teamsMove: { pollIntervalMs: 100, replayAfterMs: 1000 } });
    const data = await openTeamsOn(stack, 'mongodb');
    try {
      const audit = testAudit('teams', 'createTeam', 'Team');
      for (let i = 0; i < TEAMS; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, TEAMS - i) }, (_, j) => data.teams.create(`Seeded ${i + j}`, newId(), audit)));
      }
      const [first] = await data.teams.scan(null, 1);
      await data.tokens.create(first!.id, 'seeded token', newId(), testAudit('teams', 'createTeamToken', 'TeamToken'));
    } finally {
      await data.close();
    }
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const state = async (): Promise<MoveState> => JSON.parse((await moveTeams(stack, 'status', '--json')).out).state;

  it('resumes a backfill whose command was killed, to the same end state', async () => {
    const child = moveTeamsProcess(stack, ['start', '--to', 'postgresql', '--batch-size', '10', '--quiet']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const midway = await eventually(
      () => state().catch(() => null),
      (s) => (s?.backfill.teams?.copied ?? 0) >= 100,
      60_000,
      20,
    );
    child.kill('SIGKILL');
    await exited;
    expect(midway?.phase).toBe('dual');
    const killed = await state();
    expect(killed.backfill.teams!.done).toBe(false);
    expect(killed.backfill.teams!.copied).toBeLessThan(TEAMS);

    const early = await moveTeams(stack, 'switch');
    expect(early.code).toBe(4);
    expect(early.err).toMatch(/MOVE_WRONG_PHASE: the backfill of teams is not done \(teams: \d+ of 600/);

    expect(await moveTeamsOk(stack, 'start', '--to', 'postgresql')).toMatch(/backfill done/);
    const resumed = await state();
    // Resumed after its checkpoint, not from the start: at most the unsaved last batch again.
    expect(resumed.backfill.teams!.copied).toBeGreaterThanOrEqual(TEAMS);
    expect(resumed.backfill.teams!.copied).toBeLessThanOrEqual(TEAMS + 10);
    expect(await moveTeamsOk(stack, 'verify')).toMatch(/601 teams, 1 team_tokens, 0 processed_events compared[\s\S]*the stores agree/);
  }, 120_000);

  it('loses no write of an instance killed between its write and the mirror', async () => {
    const user = await createUser(stack, 'Kill Owner');
    const proxy = await startHoldingProxy(Number(new URL(stack.databases.teamsUrl!).port));
    const proxiedUrl = stack.databases.teamsUrl!.replace(`:${new URL(stack.databases.teamsUrl!).port}/`, `:${proxy.port}/`);
    const instance = await startTeamsProcess(stack, proxiedUrl);
    try {
      // The move waits for both instances to follow dual mode.
      await moveTeamsOk(stack, 'start', '--to', 'postgresql');
      proxy.hold();
      const name = `Written before the kill ${newId().slice(0, 8)}`;
      void signedPost(stack.auth.signingSecret, instance.url, `mutation($n: String!) { createTeam(input: { name: $n }) { id } }`, { n: name }, as(user)).catch(() => null);
      const mongo = await openTeamsOn(stack, 'mongodb');
      const postgres = await openTeamsOn(stack, 'postgresql');
      try {
        const owned = async () => (await mongo.teams.findByMembers([user])).filter((team) => team.name === name);
        const written = await eventually(owned, (teams) => teams.length === 1, 15_000, 20);
        expect(written).toHaveLength(1);
        instance.process.kill('SIGKILL');
        await instance.exited;
        const id = written[0]!.id;
        expect(await postgres.teams.findByIds([id])).toEqual([]);
        const store = await openTeamsMoveState({ home: 'mongodb', mongoUrl: stack.databases.mongoUrl, database: stack.databases.teamsDatabase, databaseUrl: stack.databases.teamsUrl! });
        try {
          const left = await store.intents('teams', new Date(Date.now() + 60_000), 100);
          expect(left.some((intent) => intent.touches.some((touch) => touch.ids.includes(id)))).toBe(true);
        } finally {
          await store.close();
        }
        // The instance still running replays what the dead one left in the journal.
        const carried = await eventually(() => postgres.teams.findByIds([id]), (teams) => teams.length === 1, 15_000);
        expect(carried.map((team) => team.name)).toEqual([name]);
        await pause(3500); // the dead instance drops out of the live ones
        expect(await moveTeamsOk(stack, 'verify')).toMatch(/the stores agree/);
      } finally {
        await mongo.close();
        await postgres.close();
      }
    } finally {
      instance.process.kill('SIGKILL');
      await proxy.stop();
    }
  }, 120_000);
});

/** A TCP proxy whose `hold()` stops passing anything on: statements sent through it hang. */
async function startHoldingProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let held = false;
  const server = createServer((client) => {
    const upstream = connectTcp({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => {
      if (!held) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!held) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('proxy has no port');
  return {
    port: address.port,
    hold: () => {
      held = true;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One more teams instance as its own process (`npm run start:teams`), on this stack's databases. */
async function startTeamsProcess(stack: Stack, databaseUrl: string): Promise<{ url: string; process: ChildProcess; exited: Promise<unknown> }> {
  const port = await freePort();
  // node with tsx's loader (not the tsx wrapper, which would run the service in a grandchild the kill misses).
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'subgraphs', 'teams', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      LOG_LEVEL: 'silent',
      TEAMS_STORE: 'mongodb',
      MONGO_URL: stack.databases.mongoUrl,
      TEAMS_DATABASE: stack.databases.teamsDatabase,
      TEAMS_DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: 'false',
      MOVE_POLL_INTERVAL_MS: '100',
      // Long enough for the held mirror to hang until the kill.
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      USERS_SUBGRAPH_URL: stack.subgraphUrls.users,
      TEAMS_SUBGRAPH_URL: stack.subgraphUrls.teams,
      JWT_PUBLIC_KEY: stack.keys.publicKey,
      INTERNAL_SIGNING_SECRET: stack.auth.signingSecret,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}/graphql`;
  const ready = await eventually(
    () => fetch(`http://127.0.0.1:${port}/ready`).then((response) => response.status, () => 0),
    (status) => status === 200,
    60_000,
    200,
  );
  if (ready !== 200) {
    child.kill('SIGKILL');
    throw new Error('the second teams instance did not become ready');
  }
  return { url, process: child, exited };
}
