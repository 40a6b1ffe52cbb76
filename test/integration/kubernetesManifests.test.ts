import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The deployment files as CI checks them: deploy/validate (Go: k8s.io/api, kustomize, Prometheus'
 * rule parser, from the Go module proxy) decodes every manifest strictly, builds each
 * kustomization and holds the result to its invariants, and parses the alert rules. The committed
 * files must pass; copies with one mistake each must fail with a message naming it.
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
