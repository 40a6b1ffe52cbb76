import { DASHBOARD_FOR_ME } from '../../scripts/dashboardQuery';
import type { StoreEngine } from '../../lib/storeMove/types';
import type { RefreshTokenRecord } from '../../subgraphs/users/domain';
import { openMongoUsersData } from '../../subgraphs/users/openMongoUsersData';
import { openPrismaUsersData } from '../../subgraphs/users/openPrismaUsersData';
import type { UsersData } from '../../subgraphs/users/UsersData';
import { ANONYMOUS_REQUEST, expectNoErrors } from './fixtures';
import { TEST_PASSWORD, type GraphQLResponse, type Stack } from './stack';
import { pause, runMove, runMoveOk } from './teamsMove';

/** The environment `npm run move-store -- users ...` needs for this stack's users. */
function moveEnv(stack: Stack): Record<string, string> {
  const config = stack.usersConfig;
  return {
    USERS_STORE: config.store ?? 'mongodb',
    MONGO_URL: stack.databases.mongoUrl,
    USERS_DATABASE: stack.databases.usersDatabase,
    USERS_DATABASE_URL: stack.databases.usersUrl!,
    MOVE_POLL_INTERVAL_MS: String(config.move?.pollIntervalMs ?? 250),
  };
}

/** One move-store command for users in this process (runMove), as `npm run move-store -- users <args>` would. */
export const moveUsers = (stack: Stack, ...args: string[]) => runMove('users', moveEnv(stack), args);
export const moveUsersOk = (stack: Stack, ...args: string[]) => runMoveOk('users', moveEnv(stack), args);

/** This stack's users on one engine, opened directly (what is really in that store). */
export function openUsersOn(stack: Stack, engine: StoreEngine): Promise<UsersData> {
  return engine === 'mongodb' ? openMongoUsersData(stack.databases.mongoUrl, stack.databases.usersDatabase, 0) : Promise.resolve(openPrismaUsersData(stack.databases.usersUrl!, 0));
}

/** What the clients were told by their acknowledged writes. */
export interface AcknowledgedUsers {
  /** Each signed-up or renamed user's last acknowledged name (and email, for sign-ups). */
  users: Map<string, { name: string; email?: string }>;
  /** Every refresh token handed out (sign-in or rotation), by its id, and whether its rotation was acknowledged since (spent). */
  tokens: Map<string, { userId: string; spent: boolean }>;
}

const tokenId = (token: string) => token.split('.')[0]!;

/** A signed-up user the load acts as: their email (to sign in again) and an access token. */
export interface LoadUser {
  id: string;
  email: string;
  headers: { authorization: string };
}

/** Signs a user up through the gateway, for the load. */
export async function signUp(stack: Stack, name: string): Promise<LoadUser> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${Date.now().toString(36)}@example.test`;
  const data = expectNoErrors(
    await stack.query<{ register: { accessToken: string; user: { id: string } } }>(
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
      { input: { email, password: TEST_PASSWORD, name } },
      ANONYMOUS_REQUEST,
    ),
  );
  return { id: data.register.user.id, email, headers: { authorization: `Bearer ${data.register.accessToken}` } };
}

/**
 * Continuous load through the gateway: every user reads their dashboard again and again, and
 * writes one request after another: signs in, refreshes the session a few times (each rotation
 * spends a token and hands out a new one), renames themselves, and now and then signs a new user up.
 * Every request that fails is kept; every acknowledged write is remembered.
 */
export class UsersLoad {
  readonly failures: string[] = [];
  readonly acknowledged: AcknowledgedUsers = { users: new Map(), tokens: new Map() };
  requests = 0;
  private running: Promise<void>[] = [];
  private stopped = false;
  private signUps = 0;

  constructor(
    private readonly stack: Stack,
    private readonly users: readonly LoadUser[],
  ) {}

  start(): void {
    this.stopped = false;
    this.running = this.users.flatMap((user) => [this.read(user), this.write(user)]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  private async send<T>(what: string, query: string, variables: Record<string, unknown>, headers: { authorization: string }): Promise<T | null> {
    this.requests += 1;
    let response: GraphQLResponse<T>;
    try {
      response = await this.stack.query<T>(query, variables, headers);
    } catch (error) {
      this.failures.push(`${what}: ${(error as Error).message}`);
      return null;
    }
    if (response.status !== 200 || response.body.errors || !response.body.data) {
      this.failures.push(`${what}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      return null;
    }
    return response.body.data;
  }

  private async read(user: LoadUser): Promise<void> {
    while (!this.stopped) {
      const data = await this.send<{ me: unknown }>('dashboard', DASHBOARD_FOR_ME, {}, user.headers);
      if (data && !data.me) this.failures.push('dashboard: no me');
      await pause(10);
    }
  }

  private async write(user: LoadUser): Promise<void> {
    let refreshToken: string | null = null;
    for (let step = 1; !this.stopped; step++) {
      if (!refreshToken || step % 6 === 0) {
        const data = await this.send<{ login: { refreshToken: string } }>('login', `mutation($input: LoginInput!) { login(input: $input) { refreshToken } }`, { input: { email: user.email, password: TEST_PASSWORD } }, ANONYMOUS_REQUEST);
        if (data) {
          refreshToken = data.login.refreshToken;
          this.acknowledged.tokens.set(tokenId(refreshToken), { userId: user.id, spent: false });
        }
      } else if (step % 5 === 0) {
        const name = `Renamed ${step} ${user.id.slice(0, 8)}`;
        if (await this.send('updateUser', `mutation($id: ID!, $n: String) { updateUser(id: $id, input: { name: $n }) { id name } }`, { id: user.id, n: name }, user.headers)) this.acknowledged.users.set(user.id, { name });
      } else if (step % 7 === 0) {
        this.signUps += 1;
        const email = `signup.${this.signUps}.${user.id.slice(0, 8)}.${Date.now().toString(36)}@example.test`;
        const name = `Sign-up ${this.signUps}`;
        const data = await this.send<{ register: { user: { id: string }; refreshToken: string } }>('register', `mutation($input: RegisterInput!) { register(input: $input) { refreshToken user { id } } }`, { input: { email, password: TEST_PASSWORD, name } }, ANONYMOUS_REQUEST);
        if (data) {
          this.acknowledged.users.set(data.register.user.id, { name, email });
          this.acknowledged.tokens.set(tokenId(data.register.refreshToken), { userId: data.register.user.id, spent: false });
        }
      } else {
        const presented: string = refreshToken;
        const data = await this.send<{ refreshSession: { refreshToken: string } }>('refreshSession', `mutation($t: String!) { refreshSession(refreshToken: $t) { refreshToken } }`, { t: presented }, ANONYMOUS_REQUEST);
        if (data) {
          this.acknowledged.tokens.set(tokenId(presented), { userId: user.id, spent: true });
          refreshToken = data.refreshSession.refreshToken;
          this.acknowledged.tokens.set(tokenId(refreshToken), { userId: user.id, spent: false });
        } else {
          refreshToken = null;
        }
      }
      await pause(15);
    }
  }
}

/**
 * The acknowledged writes one store lacks: each user with their last acknowledged name (and
 * email), each refresh token handed out, spent where its rotation was acknowledged.
 */
export async function missingWrites(data: UsersData, acknowledged: AcknowledgedUsers): Promise<string[]> {
  const missing: string[] = [];
  const users = new Map((await data.users.findByIds([...acknowledged.users.keys()])).map((user) => [user.id, user]));
  for (const [id, expected] of acknowledged.users) {
    const user = users.get(id);
    if (!user) missing.push(`user ${id}: absent`);
    else if (user.name !== expected.name) missing.push(`user ${id}: named "${user.name}", acknowledged "${expected.name}"`);
    else if (expected.email && user.email !== expected.email) missing.push(`user ${id}: email ${user.email}, signed up as ${expected.email}`);
  }
  const tokens = new Map(((await data.moveAdapters.refresh_tokens!.get([...acknowledged.tokens.keys()])) as RefreshTokenRecord[]).map((token) => [token.id, token]));
  for (const [id, expected] of acknowledged.tokens) {
    const token = tokens.get(id);
    if (!token) missing.push(`refresh token ${id}: absent`);
    else if (token.userId !== expected.userId) missing.push(`refresh token ${id}: of user ${token.userId}, issued to ${expected.userId}`);
    else if (expected.spent && !token.usedAt) missing.push(`refresh token ${id}: rotated, but not spent`);
  }
  return missing;
}
