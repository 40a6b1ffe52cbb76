import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../engines/freePort';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { SUPERGRAPH_FILE } from '../../schema/subgraphs';
import type { ServiceDatabases } from '../../scripts/seed';
import { dropDatabases, freshDatabase, graphqlPost, testEngines } from '../support/stack';

/**
 * The deployment files as CI checks them: deploy/validate (Go: k8s.io/api, kustomize, Prometheus'
 * rule parser, from the Go module proxy) decodes every manifest strictly, builds each
 * kustomization and holds the result to its invariants, and parses the alert rules. The committed
 * files must pass; copies with one mistake each must fail with a message naming it. Then each of
 * the six services is started as its own process from exactly the environment its Deployment
 * gives it (the ConfigMap and the Secrets it names), on the test's engines, and the graph answers
 * through the gateway.
 */
const ROOT = join(__dirname, '..', '..');
const VALIDATOR_SOURCE = join(ROOT, 'deploy', 'validate');
const MANIFESTS = join(ROOT, 'deploy', 'kubernetes');
const RULES = join(ROOT, 'deploy', 'prometheus', 'alerts.yaml');
/** The first build downloads the Go modules and compiles them (minutes on two cores); later ones reuse Go's caches. */
const BUILD_TIMEOUT_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string, timeout: number): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd, timeout, maxBuffer: 10_000_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let workDir: string;
let validator: string;

const validate = (...args: string[]) => run(validator, args, ROOT, RUN_TIMEOUT_MS);

/** A copy of deploy/kubernetes with `from` replaced by `to` in one file; fails if `from` is not there,
 * so an edit that no longer applies cannot turn a test into one that checks nothing. */
function editedManifests(file: string, from: string, to: string): string {
  const copy = mkdtempSync(join(workDir, 'manifests-'));
  cpSync(MANIFESTS, copy, { recursive: true });
  const path = join(copy, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
  return copy;
}

function editedRules(from: string, to: string): string {
  const text = readFileSync(RULES, 'utf8');
  if (!text.includes(from)) throw new Error(`alerts.yaml no longer contains ${JSON.stringify(from)}`);
  const path = join(mkdtempSync(join(workDir, 'rules-')), 'alerts.yaml');
  writeFileSync(path, text.replace(from, to));
  return path;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'schemaflow-manifests-'));
  validator = join(workDir, 'validate');
  const build = await run('go', ['build', '-o', validator, '.'], VALIDATOR_SOURCE, BUILD_TIMEOUT_MS);
  if (build.code !== 0) throw new Error(`building deploy/validate failed:\n${build.stderr}`);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('deployment files', () => {
  it('pass: every manifest decodes strictly, both kustomizations build and hold the invariants, the alert rules load', async () => {
    const result = await validate('-rules', RULES, MANIFESTS);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^manifests ok: \d+ files decoded strictly, 2 builds checked \(.*kubernetes: \d+ objects; .*mongodb-replica-set: \d+ objects\)/m);
    expect(result.stdout).toMatch(/^rules ok: \d+ rules in 4 groups/m);
  });

  it('a misspelt field fails, naming the file, the object and the field', async () => {
    const copy = editedManifests('base/gateway.yaml', '          readinessProbe:', '          readinesProbe:');
    const result = await validate(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${join(copy, 'base/gateway.yaml')}: document 1 (Deployment gateway): unknown field "spec.template.spec.containers[0].readinesProbe"`,
    );
  });

  it('a value of the wrong type fails, naming the field', async () => {
    const copy = editedManifests('base/teams.yaml', 'containerPort: 4002', 'containerPort: "4002"');
    const result = await validate(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/base\/teams\.yaml: document 1 \(Deployment teams\): .*containerPort/);
  });

  it.each([
    [
      'a readiness probe on /health',
      'base/users.yaml',
      '          readinessProbe:\n            httpGet:\n              path: /ready',
      '          readinessProbe:\n            httpGet:\n              path: /health',
      'Deployment schemaflow/users: container "users": readinessProbe.httpGet.path is "/health", not "/ready"',
    ],
    [
      'a secretKeyRef to a key the documented Secret lacks',
      'base/payments.yaml',
      'key: AMQP_URL',
      'key: AMQP_URI',
      'Deployment schemaflow/payments: container "payments": env AMQP_URL: Secret "schemaflow-events" as documented has no key "AMQP_URI"',
    ],
    [
      'a Deployment no disruption budget selects',
      'base/profiles.yaml',
      'kind: PodDisruptionBudget\nmetadata:\n  name: profiles\n  labels:\n    app.kubernetes.io/name: profiles\n    app.kubernetes.io/part-of: schemaflow\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: profiles',
      'kind: PodDisruptionBudget\nmetadata:\n  name: profiles\n  labels:\n    app.kubernetes.io/name: profiles\n    app.kubernetes.io/part-of: schemaflow\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: profile',
      'Deployment schemaflow/profiles: no PodDisruptionBudget selects its pods',
    ],
    [
      'an autoscaler whose target does not exist',
      'base/gateway.yaml',
      '    kind: Deployment\n    name: gateway',
      '    kind: Deployment\n    name: gateways',
      'HorizontalPodAutoscaler schemaflow/gateway: its target apps/v1 Deployment "gateways" is not in the build',
    ],
    [
      'the supergraph mounted as a single file',
      'base/gateway.yaml',
      '              mountPath: /etc/schemaflow/supergraph\n',
      '              mountPath: /etc/schemaflow/supergraph/supergraph.graphql\n              subPath: supergraph.graphql\n',
      'volumeMount "supergraph" mounts one file of ConfigMap "schemaflow-supergraph" (subPath)',
    ],
    [
      'a grace period shorter than the shutdown delay and drain',
      'base/projects.yaml',
      'terminationGracePeriodSeconds: 45',
      'terminationGracePeriodSeconds: 15',
      'terminationGracePeriodSeconds 15 is below SHUTDOWN_DELAY_MS 10000 ms',
    ],
    [
      'a real-looking value in the documented Secrets',
      'secrets.example.yaml',
      'AMQP_URL: "REPLACE: amqp://schemaflow:password@rabbitmq:5672"',
      'AMQP_URL: "amqp://schemaflow:hunter2@rabbitmq:5672"',
      'secrets.example.yaml: document 5 (Secret schemaflow-events): AMQP_URL is not a placeholder',
    ],
    [
      'a manifest the kustomization does not list',
      'base/kustomization.yaml',
      '  - network-policies.yaml\n',
      '',
      'network-policies.yaml: listed by no kustomization.yaml in its folder',
    ],
  ])('%s fails, saying so', async (_case, file, from, to, message) => {
    const result = await validate(editedManifests(file, from, to));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('alert rules reading a metric the header does not declare fail, naming it', async () => {
    const result = await validate('-rules', editedRules('max by (service) (schemaflow_outbox_depth) > 100', 'max by (service) (schemaflow_outbox_size) > 100'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rule SchemaflowOutboxBacklog: reads metric "schemaflow_outbox_size", which the header does not declare');
  });

  it('alert rules Prometheus would refuse to load fail, with its message', async () => {
    const result = await validate('-rules', editedRules('        for: 2m\n', '        fore: 2m\n'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/field fore not found in type rulefmt\.Rule/);
  });
});

/** One environment variable as a Deployment gives it (`validate -env`). */
interface ManifestVariable {
  value?: string;
  secret?: string;
  key?: string;
  optional?: boolean;
}

/** Deployment → container → variable. */
type ManifestEnvironments = Record<string, Record<string, Record<string, ManifestVariable>>>;

const ENTRY_POINTS: Record<string, string> = {
  gateway: 'gateway/main.ts',
  users: 'subgraphs/users/main.ts',
  teams: 'subgraphs/teams/main.ts',
  projects: 'subgraphs/projects/main.ts',
  payments: 'subgraphs/payments/main.ts',
  profiles: 'subgraphs/profiles/main.ts',
};
const SUBGRAPH_NAMES = ['users', 'teams', 'projects', 'payments', 'profiles'] as const;
const urlVariable = (name: string) => `${name.toUpperCase()}_SUBGRAPH_URL`;
/** Starting takes a while on a busy machine: tsx compiles each service, the PostgreSQL ones migrate. */
const START_TIMEOUT_MS = 120_000;

interface RunningProcess {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

/** A service as the kubelet runs it: its own process with nothing but the environment given (and PATH). */
function startProcess(name: string, env: Record<string, string>): Promise<RunningProcess> {
  const child = fork(join(ROOT, ENTRY_POINTS[name]!), [], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve({ name, url: message.url ?? '', child, exited, output: () => output });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${output}`));
    });
  });
}

describe('the services started from their manifests', () => {
  let environments: ManifestEnvironments;
  let databases: ServiceDatabases;
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    const printed = await validate('-env', MANIFESTS);
    if (printed.code !== 0) throw new Error(`validate -env failed:\n${printed.stderr}`);
    environments = JSON.parse(printed.stdout) as ManifestEnvironments;
    const suffix = randomBytes(4).toString('hex');
    // Empty databases: the PostgreSQL services migrate them themselves (MIGRATE_ON_START from the ConfigMap).
    const [projectsUrl, paymentsUrl, profilesUrl] = await Promise.all(['projects', 'payments', 'profiles'].map((name) => freshDatabase(`k8s_${name}`)));
    databases = { mongoUrl: testEngines().mongoUrl, usersDatabase: `k8s_users_${suffix}`, teamsDatabase: `k8s_teams_${suffix}`, projectsUrl: projectsUrl!, paymentsUrl: paymentsUrl!, profilesUrl: profilesUrl! };
  });

  afterAll(async () => {
    for (const service of running) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await Promise.all(running.map((service) => service.exited));
    if (databases) await dropDatabases(databases);
  });

  it('start from the ConfigMap and the Secrets they name, answer a dashboard through the gateway, and stop within their grace period', async () => {
    expect(Object.keys(environments).sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
    const keys = generateSigningKeys();
    // What the operator puts into the Secrets of secrets.example.yaml, here for the test's engines.
    // REDIS_URL's Secret is optional and left out, as a cluster without Redis would.
    const secretValues: Record<string, string> = {
      'schemaflow-jwt/JWT_PUBLIC_KEY': keys.publicKey,
      'schemaflow-jwt-signing/JWT_PRIVATE_KEY': keys.privateKey,
      'schemaflow-internal/INTERNAL_SIGNING_SECRET': randomBytes(32).toString('hex'),
      'schemaflow-databases/MONGO_URL': databases.mongoUrl,
      'schemaflow-databases/PROJECTS_DATABASE_URL': databases.projectsUrl,
      'schemaflow-databases/PAYMENTS_DATABASE_URL': databases.paymentsUrl,
      'schemaflow-databases/PROFILES_DATABASE_URL': databases.profilesUrl,
      // No broker here: the services start and serve with it unreachable, events wait in their outboxes.
      'schemaflow-events/AMQP_URL': `amqp://127.0.0.1:${await freePort()}`,
    };
    const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const)));
    const supergraphDir = join(workDir, 'supergraph');
    mkdirSync(supergraphDir);
    copyFileSync(SUPERGRAPH_FILE, join(supergraphDir, 'supergraph.graphql'));

    const environmentOf = (deployment: string): Record<string, string> => {
      const containers = Object.values(environments[deployment]!);
      expect(containers).toHaveLength(1);
      const env: Record<string, string> = {};
      for (const [name, variable] of Object.entries(containers[0]!)) {
        if (variable.value !== undefined) {
          env[name] = variable.value;
          continue;
        }
        const value = secretValues[`${variable.secret}/${variable.key}`];
        if (value !== undefined) env[name] = value;
        else if (!variable.optional) throw new Error(`${deployment}: ${name} comes from Secret ${variable.secret} key ${variable.key}, which this test does not fill in`);
      }
      // Only addresses and names differ from a cluster: ports free here, the subgraphs' loopback
      // URLs for the Service names, database names of this test's own, the ConfigMap's directory.
      const overrides: Record<string, string> = {
        PORT: deployment === 'gateway' ? '0' : String(ports[deployment as (typeof SUBGRAPH_NAMES)[number]]),
        HOST: '127.0.0.1',
        USERS_DATABASE: databases.usersDatabase,
        TEAMS_DATABASE: databases.teamsDatabase,
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [urlVariable(name), `http://127.0.0.1:${ports[name]}/graphql`])),
        ...(deployment === 'gateway' ? { SUPERGRAPH_FILE: join(supergraphDir, 'supergraph.graphql') } : {}),
      };
      for (const [name, value] of Object.entries(overrides)) {
        // Replacing, never adding: a variable the manifest forgot must fail this test.
        if (!(name in env)) throw new Error(`${deployment}: the manifest gives no ${name}`);
        env[name] = value;
      }
      return env;
    };

    const started = await Promise.allSettled(SUBGRAPH_NAMES.map((name) => startProcess(name, environmentOf(name))));
    for (const result of started) if (result.status === 'fulfilled') running.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const gateway = await startProcess('gateway', environmentOf('gateway'));
    running.push(gateway);

    for (const service of running) {
      const ready = await fetch(service.url.replace(/\/graphql$/, '/ready'));
      expect([service.name, ready.status]).toEqual([service.name, 200]);
    }

    // Signed up by the users service with the private key, verified by the gateway and every
    // subgraph with the public key, the request signed between them with the shared secret.
    const registered = await graphqlPost<{ register: { accessToken: string; user: { id: string } } }>(
      gateway.url,
      'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      { input: { email: `k8s-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery staple', name: 'Kube Operator' } },
    );
    expect(registered.body.errors).toBeUndefined();
    const { accessToken, user } = registered.body.data!.register;
    const dashboard = await graphqlPost<{ me: Record<string, unknown> }>(
      gateway.url,
      `{ me { id name teams { edges { node { name } } } projects { edges { node { name } } } profile { bio }
              sent: payments(direction: SENT) { edges { node { amount } } } } }`,
      {},
      { authorization: `Bearer ${accessToken}` },
    );
    expect(dashboard.body.errors).toBeUndefined();
    expect(dashboard.body.data!.me).toEqual({
      id: user.id,
      name: 'Kube Operator',
      teams: { edges: [] },
      projects: { edges: [] },
      profile: { bio: null },
      sent: { edges: [] },
    });

    // SIGTERM as the kubelet sends it: each process waits SHUTDOWN_DELAY_MS, drains and exits 0
    // before terminationGracePeriodSeconds (45 s) would have it killed.
    const stopping = Date.now();
    for (const service of running) service.child.kill('SIGTERM');
    const codes = await Promise.all(running.map(async (service) => [service.name, await service.exited] as const));
    expect(codes).toEqual(running.map((service) => [service.name, 0]));
    expect(Date.now() - stopping).toBeLessThan(45_000);
  }, 5 * 60_000);
});
