import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { DASHBOARD_FOR_ME } from '../../scripts/dashboardQuery';
import { runMoveStore } from '../../moveStore/runMoveStore';
import type { StoreEngine } from '../../lib/storeMove/types';
import { openMongoTeamsData } from '../../subgraphs/teams/openMongoTeamsData';
import { openPrismaTeamsData } from '../../subgraphs/teams/openPrismaTeamsData';
import type { TeamsData } from '../../subgraphs/teams/TeamsData';
import { as } from './fixtures';
import type { GraphQLResponse, Stack } from './stack';

export const ROOT = join(__dirname, '..', '..');

/** The environment `npm run move-store -- teams ...` needs for this stack's teams. */
export function moveEnv(stack: Stack, extra: Record<string, string> = {}): Record<string, string> {
  const config = stack.teamsConfig;
  return {
    TEAMS_STORE: config.store ?? 'mongodb',
    MONGO_URL: stack.databases.mongoUrl,
    TEAMS_DATABASE: stack.databases.teamsDatabase,
    TEAMS_DATABASE_URL: stack.databases.teamsUrl!,
    MOVE_POLL_INTERVAL_MS: String(config.move?.pollIntervalMs ?? 250),
    ...extra,
  };
}

export interface MoveRun {
  code: number;
  out: string;
  err: string;
}

/** Runs one move-store command in this process, as `npm run move-store -- <service> <args>` would, with `env` as its environment. */
export async function runMove(service: 'users' | 'teams', env: Record<string, string>, args: string[]): Promise<MoveRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMoveStore([service, ...args, '--quiet'], env, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The same, failing the test with its output unless it exits 0. */
export async function runMoveOk(service: 'users' | 'teams', env: Record<string, string>, args: string[]): Promise<string> {
  const run = await runMove(service, env, args);
  if (run.code !== 0) throw new Error(`move-store ${service} ${args.join(' ')} exited ${run.code}:\n${run.out}\n${run.err}`);
  return run.out;
}

export const moveTeams = (stack: Stack, ...args: string[]) => runMove('teams', moveEnv(stack), args);
export const moveTeamsOk = (stack: Stack, ...args: string[]) => runMoveOk('teams', moveEnv(stack), args);

/** `npm run move-store` as a child process (node with tsx's loader: one process, so a SIGKILL reaches the command itself). */
export function moveTeamsProcess(stack: Stack, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'moveStore', 'main.ts'), 'teams', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...moveEnv(stack, extraEnv) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** This stack's teams on one engine, opened directly (what is really in that store). */
export function openTeamsOn(stack: Stack, engine: StoreEngine): Promise<TeamsData> {
  return engine === 'mongodb' ? openMongoTeamsData(stack.databases.mongoUrl, stack.databases.teamsDatabase) : Promise.resolve(openPrismaTeamsData(stack.databases.teamsUrl!));
}

/** What a client was told a team is, by its last acknowledged write. */
export interface Acknowledged {
  name: string;
  members: Set<string>;
}

const TEAM_FIELDS = '{ id name members { edges { node { user { id } } } } }';

/**
 * Continuous load through the gateway: every user reads their dashboard again and again, and
 * writes (creates a team, renames it, adds and removes a member) one request after another.
 * Every request that fails is kept; every acknowledged write is remembered.
 */
export class TeamsLoad {
  readonly failures: string[] = [];
  readonly acknowledged = new Map<string, Acknowledged>();
  /** Team tokens created (and acknowledged), with whether their revocation was acknowledged. */
  readonly tokens = new Map<string, { teamId: string; revoked: boolean }>();
  /** Each request's time to its answer (ms), in order. */
  readonly latencies: number[] = [];
  requests = 0;
  private running: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly stack: Stack,
    private readonly users: readonly string[],
  ) {}

  start(): void {
    this.stopped = false;
    this.running = this.users.flatMap((user, index) => [this.read(user), this.write(user, this.users[(index + 1) % this.users.length]!)]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async send<T>(what: string, query: string, variables: Record<string, unknown>, user: string): Promise<T | null> {
    this.requests += 1;
    let response: GraphQLResponse<T>;
    const started = performance.now();
    try {
      response = await this.stack.query<T>(query, variables, as(user));
      this.latencies.push(Math.round(performance.now() - started));
    } catch (error) {
      this.failures.push(`${what}: ${(error as Error).message}`);
      return null;
    }
    if (response.status !== 200 || response.body.errors || !response.body.data) {
      this.failures.push(`${what} at ${new Date().toISOString()}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      return null;
    }
    return response.body.data;
  }

  private async read(user: string): Promise<void> {
    while (!this.stopped) {
      const data = await this.send<{ me: unknown }>('dashboard', DASHBOARD_FOR_ME, {}, user);
      if (data && !data.me) this.failures.push('dashboard: no me');
      await pause(10);
    }
  }

  private async write(user: string, other: string): Promise<void> {
    let team: string | null = null;
    let step = 0;
    while (!this.stopped) {
      step += 1;
      if (!team || step % 7 === 0) {
        const name = `Load ${step} of ${user.slice(0, 8)}`;
        const data = await this.send<{ createTeam: { id: string } }>('createTeam', `mutation($n: String!) { createTeam(input: { name: $n }) ${TEAM_FIELDS} }`, { n: name }, user);
        if (data) {
          team = data.createTeam.id;
          this.acknowledged.set(team, { name, members: new Set([user]) });
        }
      } else if (step % 11 === 0) {
        const data = await this.send<{ createTeamToken: { teamToken: { id: string } } }>(
          'createTeamToken',
          `mutation($t: ID!) { createTeamToken(teamId: $t, name: "load") { token teamToken { id } } }`,
          { t: team },
          user,
        );
        if (data) {
          const tokenId = data.createTeamToken.teamToken.id;
          this.tokens.set(tokenId, { teamId: team, revoked: false });
          const revoked = await this.send('revokeTeamToken', `mutation($t: ID!, $k: ID!) { revokeTeamToken(teamId: $t, tokenId: $k) { id } }`, { t: team, k: tokenId }, user);
          if (revoked) this.tokens.set(tokenId, { teamId: team, revoked: true });
        }
      } else if (step % 3 === 0) {
        const known = this.acknowledged.get(team)!;
        const adding = !known.members.has(other);
        const data = adding
          ? await this.send('addTeamMember', `mutation($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u) ${TEAM_FIELDS} }`, { t: team, u: other }, user)
          : await this.send('removeTeamMember', `mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) ${TEAM_FIELDS} }`, { t: team, u: other }, user);
        if (data) {
          const members = new Set(known.members);
          if (adding) members.add(other);
          else members.delete(other);
          this.acknowledged.set(team, { name: known.name, members });
        }
      } else {
        const name = `Renamed ${step} of ${user.slice(0, 8)}`;
        const data = await this.send('renameTeam', `mutation($t: ID!, $n: String!) { renameTeam(id: $t, name: $n) ${TEAM_FIELDS} }`, { t: team, n: name }, user);
        if (data) this.acknowledged.set(team, { ...this.acknowledged.get(team)!, name });
      }
      await pause(15);
    }
  }
}

/** The acknowledged writes one store lacks: each team's name and members as the client was last told. */
export async function missingWrites(data: TeamsData, acknowledged: ReadonlyMap<string, Acknowledged>): Promise<string[]> {
  const ids = [...acknowledged.keys()];
  const found = new Map((await data.teams.findByIds(ids)).map((team) => [team.id, team]));
  const missing: string[] = [];
  for (const [id, expected] of acknowledged) {
    const team = found.get(id);
    const members = new Set(team?.members.map((member) => member.userId));
    if (!team) missing.push(`${id}: absent`);
    else if (team.name !== expected.name) missing.push(`${id}: named "${team.name}", acknowledged "${expected.name}"`);
    else if (members.size !== expected.members.size || [...expected.members].some((m) => !members.has(m))) missing.push(`${id}: members differ`);
  }
  return missing;
}

/** The acknowledged token writes (creations, revocations) one store lacks. */
export async function missingTokenWrites(data: TeamsData, tokens: TeamsLoad['tokens']): Promise<string[]> {
  const missing: string[] = [];
  for (const [tokenId, expected] of tokens) {
    const token = (await data.tokens.listByTeam(expected.teamId)).find((candidate) => candidate.id === tokenId);
    if (!token) missing.push(`token ${tokenId}: absent`);
    else if (expected.revoked && !token.revokedAt) missing.push(`token ${tokenId}: not revoked`);
  }
  return missing;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
