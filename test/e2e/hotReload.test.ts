import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';
import { createLogger } from '../../lib/logger';
import { startSubgraph } from '../../lib/subgraph';
import { buildSubgraphServer, type ResolverMap } from '../../lib/subgraphServer';
import { composeSupergraph, subgraphDefinitions } from '../../schema/composeSupergraph';
import { schemaFile, type SubgraphName } from '../../schema/subgraphs';
import { resolvers, type ProfilesContext } from '../../subgraphs/profiles/resolvers';
import { createProfilesSubgraph } from '../../subgraphs/profiles/server';
import type { UserProfile } from '../../subgraphs/profiles/domain';
import { addMember, commitVersion, createPayment, createProject, createTeam, createUser, expectNoErrors } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

/**
 * Zero-downtime schema rollout: the gateway serves a supergraph file and takes each new version
 * of it while serving. Here the profiles team ships a new field the way a subgraph team does (a
 * second instance with the field, then a supergraph routing to it), under load through the real
 * gateway; and supergraphs that do not load are refused while the last good one keeps serving.
 *
 * The gateway is given no *_SUBGRAPH_URL: it calls each subgraph at the routing URL of the
 * supergraph it serves, so the new supergraph is what moves profiles to the new instance.
 */
const DASHBOARD = `query Dashboard($id: ID!) {
  user(id: $id) {
    id name email
    teams { edges { node { name memberCount members { edges { node { role user { name } } } } } } }
    projects { edges { node { name team { name } latestVersion { number message author { name } } } } }
    profile { bio phone preferences }
    sent: payments(direction: SENT) { edges { node { amount currency status recipient { name } } } }
    received: payments(direction: RECEIVED) { edges { node { amount currency status sender { name } } } }
  }
}`;

/** Concurrent request loops; each stops by itself after LOAD_MAX_MS or LOAD_MAX_REQUESTS. */
const LOAD_LOOPS = 8;
const LOAD_MAX_MS = 30_000;
const LOAD_MAX_REQUESTS = 2_000;

let stack: Stack;
let ann: string;
let dir: string;
let supergraphFile: string;
let subgraphUrls: Record<SubgraphName, string>;
const extraInstances: { stop(): Promise<void> }[] = [];

/** The gateway's log lines (captured from stderr; other services' warnings and errors still show). */
const gatewayLog: { level: string; message: string }[] = [];
/** Called for each gateway log line as it is written, i.e. synchronously after what it reports. */
let onGatewayLog: (entry: { level: string; message: string }) => void = () => {};

beforeAll(async () => {
  const write = process.stderr.write.bind(process.stderr);
  jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = String(chunk);
    if (text.startsWith('{"time"')) {
      const entry = JSON.parse(text) as { level: string; service: string; message: string };
      if (entry.service === 'gateway') {
        gatewayLog.push(entry);
        onGatewayLog(entry);
        return true;
      }
      if (entry.level === 'info' || entry.level === 'debug') return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write);

  dir = mkdtempSync(join(tmpdir(), 'schemaflow-supergraph-'));
  supergraphFile = join(dir, 'supergraph.graphql');
  stack = await startStack({
    logLevel: 'info',
    gatewayEnv: { SUPERGRAPH_FILE: supergraphFile },
    writeSupergraph: (urls) => {
      subgraphUrls = urls;
      writeAtomically(supergraphFile, supergraphWith());
    },
  });
  ann = await createUser(stack, 'Ann Example');
  const bob = await createUser(stack, 'Bob Example');
  const team = await createTeam(stack, 'Platform', ann);
  await addMember(stack, team, bob, 'ADMIN');
  const project = await createProject(stack, 'Shared API', ann, team);
  await commitVersion(stack, project, bob, 'first');
  await createPayment(stack, ann, bob, '12.50');
  await createPayment(stack, bob, ann, '3.00');
  expectNoErrors(await stack.query(`mutation($id: ID!) { updateProfile(userId: $id, input: { bio: "Hello" }) { id } }`, { id: ann }));
});

afterAll(async () => {
  await stack?.stop();
  for (const instance of extraInstances) await instance.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

test('a subgraph adds a field and the supergraph is swapped under load: no request fails', async () => {
  const expected = expectNoErrors(await stack.query(DASHBOARD, { id: ann }));
  const profilesWithAvatar = await startProfilesWith('"Whether the user has set a picture." hasAvatar: Boolean!', {
    hasAvatar: (profile: UserProfile) => profile.avatarUrl !== null,
  });
  const newField = `query($id: ID!) { user(id: $id) { profile { bio hasAvatar } } }`;
  expect((await stack.query(newField, { id: ann })).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

  const load = startLoad(() => stack.query(DASHBOARD, { id: ann }), expected);
  let inFlightAtSwap = -1;
  onGatewayLog = (entry) => {
    if (entry.message.startsWith('took the new supergraph')) inFlightAtSwap = load.inFlight();
  };
  try {
    // Counted in answered requests rather than time: the dashboard's speed depends on the engines.
    await waitFor('the load to get going', async () => load.answered() >= LOAD_LOOPS * 3, LOAD_MAX_MS);
    writeAtomically(supergraphFile, supergraphWith(profilesWithAvatar));
    await waitFor('the new field to be served', async () => {
      const response = await stack.query<{ user: { profile: unknown } }>(newField, { id: ann });
      return response.status === 200 && !response.body.errors && matches(response.body.data, { user: { profile: { bio: 'Hello', hasAvatar: false } } });
    });
    const answeredAtRollout = load.answered();
    await waitFor('more load on the new supergraph', async () => load.answered() >= answeredAtRollout + LOAD_LOOPS * 3, LOAD_MAX_MS);
  } finally {
    onGatewayLog = () => {};
    load.stop();
  }
  const { sent, failures } = await load.done;
  process.stdout.write(`[hotReload] ${sent} requests over ${LOAD_LOOPS} loops, ${failures.length} failed, ${inFlightAtSwap} in flight at the swap\n`);
  expect(failures).toEqual([]);
  // The swap happened while requests were in flight, and they too were answered in full.
  expect(inFlightAtSwap).toBeGreaterThan(0);
  expect(gatewayLog.filter((entry) => entry.level === 'error')).toEqual([]);
});

test('supergraphs that do not load are refused and logged; the last good one keeps serving, then a valid one is taken', async () => {
  const expected = expectNoErrors(await stack.query(DASHBOARD, { id: ann }));
  const serving = readFileSync(supergraphFile, 'utf8');
  const profilesWithPhone = await startProfilesWith('"Whether the user has given a telephone number." hasPhone: Boolean!', {
    hasPhone: (profile: UserProfile) => profile.phone !== null,
  });
  const next = supergraphWith(profilesWithPhone);
  const newField = `query($id: ID!) { user(id: $id) { profile { hasPhone } } }`;
  // Passes the gateway's first checks but its profiles subgraph cannot be extracted (a key on a
  // field it lacks). It also drops UserProfile.bio, which the dashboard asks for: had the gateway
  // half-taken it, the dashboard would start failing.
  const keyAnchor = 'type UserProfile\n  @join__type(graph: PROFILES, key: "id")\n';
  const bioField = '  """A few words about the user."""\n  bio: String\n';
  expect(serving).toContain(keyAnchor);
  expect(serving).toContain(bioField);
  const uncomposable = serving.replace(keyAnchor, 'type UserProfile\n  @join__type(graph: PROFILES, key: "handle")\n').replace(bioField, '');

  const attempts: [string, () => void][] = [
    ['garbage', () => writeAtomically(supergraphFile, 'this is { not a schema')],
    // In place, not by rename: what a reader sees while a slow writer is half way.
    ['a half-written file', () => writeFileSync(supergraphFile, next.slice(0, Math.floor(next.length / 2)))],
    ['a schema that is not a supergraph', () => writeAtomically(supergraphFile, 'type Query { hello: String }\n')],
    ['a supergraph whose subgraphs do not compose', () => writeAtomically(supergraphFile, uncomposable)],
  ];
  for (const [what, attempt] of attempts) {
    const refusals = countRefusals();
    attempt();
    await waitFor(`${what} to be refused`, async () => countRefusals() > refusals);
    const response = await stack.query(DASHBOARD, { id: ann });
    expect({ what, status: response.status, body: response.body }).toEqual({ what, status: 200, body: { data: expected } });
    expect((await stack.query(newField, { id: ann })).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  }
  expect(countRefusals()).toBeGreaterThanOrEqual(attempts.length);

  writeAtomically(supergraphFile, next);
  await waitFor('the valid supergraph to be taken', async () => {
    const response = await stack.query(newField, { id: ann });
    return !response.body.errors && matches(response.body.data, { user: { profile: { hasPhone: false } } });
  });
  expect(expectNoErrors(await stack.query(DASHBOARD, { id: ann }))).toEqual(expected);
});

/**
 * Deep equality as `toEqual` sees it. (`util.isDeepStrictEqual` compares prototypes, and objects
 * from `fetch` belong to another realm than the test's literals.)
 */
function matches(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

function countRefusals(): number {
  return gatewayLog.filter((entry) => entry.level === 'error' && entry.message.startsWith('refused the new supergraph')).length;
}

interface ChangedSubgraph {
  name: SubgraphName;
  url: string;
  typeDefs: DocumentNode;
}

/** The five committed subgraph schemas composed with the stack's real URLs, one subgraph replaced if given. */
function supergraphWith(changed?: ChangedSubgraph): string {
  const services = subgraphDefinitions().map((service) =>
    service.name === changed?.name
      ? { ...service, url: changed.url, typeDefs: changed.typeDefs }
      : { ...service, url: subgraphUrls[service.name as SubgraphName] },
  );
  const outcome = composeSupergraph(services);
  if (!outcome.ok) throw new Error(`composition failed:\n${outcome.errors.join('\n')}`);
  return outcome.supergraphSdl;
}

let tempFiles = 0;
/** As `npm run compose` should and editors do: write beside, then rename over. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${tempFiles++}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/**
 * A second instance of the profiles subgraph, built from the real factory on the same database,
 * with one more field on UserProfile (`field` is its SDL, description included) and its resolver.
 */
async function startProfilesWith(field: string, resolve: Record<string, (profile: UserProfile) => unknown>): Promise<ChangedSubgraph> {
  const anchor = 'type UserProfile @key(fields: "id") {\n';
  const schema = readFileSync(schemaFile('profiles'), 'utf8');
  expect(schema).toContain(anchor);
  const typeDefs = parse(schema.replace(anchor, `${anchor}  ${field}\n`));
  const logger = createLogger('profiles-next', 'warn');
  const base = await createProfilesSubgraph({ databaseUrl: stack.databases.profilesUrl, usersUrl: stack.subgraphUrls.users, auth: stack.auth }, logger);
  const extended = { ...resolvers, UserProfile: { ...(resolvers.UserProfile as object), ...resolve } } as ResolverMap<ProfilesContext>;
  const running = await startSubgraph({ ...base, server: buildSubgraphServer(typeDefs, extended, logger) }, 0);
  extraInstances.push(running);
  return { name: 'profiles', url: running.url, typeDefs };
}

/**
 * LOAD_LOOPS loops sending one operation each, one request at a time, until stopped or past their
 * bounds. A failure is anything but HTTP 200 with exactly the expected data and no errors.
 */
function startLoad(send: () => Promise<{ status: number; body: { data?: unknown; errors?: unknown[] } }>, expected: unknown) {
  let stopped = false;
  let sent = 0;
  let answered = 0;
  let inFlight = 0;
  const failures: string[] = [];
  const deadline = Date.now() + LOAD_MAX_MS;
  const loop = async () => {
    for (let count = 0; !stopped && count < LOAD_MAX_REQUESTS && Date.now() < deadline; count++) {
      sent++;
      inFlight++;
      try {
        const response = await send();
        if (response.status !== 200 || response.body.errors || !matches(response.body.data, expected)) {
          failures.push(`HTTP ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
        }
      } catch (error) {
        failures.push(String(error));
      } finally {
        inFlight--;
        answered++;
      }
    }
  };
  const done = Promise.all(Array.from({ length: LOAD_LOOPS }, loop)).then(() => ({ sent, failures }));
  return { done, stop: () => void (stopped = true), inFlight: () => inFlight, answered: () => answered };
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
