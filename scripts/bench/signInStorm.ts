import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, fetch } from 'undici';
import { freePort } from '../../engines/freePort';
import { DEMO_PASSWORD, DEMO_USER_IDS } from '../demoData';

/**
 * `npm run bench:signins [-- --rate 20 --seconds 15]`: runs the product as `npm start` does (on a
 * temporary DATA_DIR), measures Grace's dashboard (two clients, back to back) alone, then again
 * while sign-ins arrive at `--rate` per second (four in five with the right password from the
 * dashboard's address, one in five wrong from another address), and prints the dashboard's
 * latencies and what the sign-ins got. Password hashing is what the storm costs: with the hashing
 * bulkhead the dashboard's p99 should stay near its baseline while sign-ins queue.
 */
const { values } = parseArgs({ options: { rate: { type: 'string', default: '20' }, seconds: { type: 'string', default: '15' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
if (!(rate > 0) || !(seconds > 0)) throw new Error('--rate and --seconds must be positive numbers');

const ROOT = join(__dirname, '..', '..');
const DASHBOARD = `query($id: ID!) { user(id: $id) { name teams { edges { node { name memberCount } } }
  projects { edges { node { name latestVersion { number author { name } } } } } profile { bio }
  received: payments(direction: RECEIVED) { edges { node { amount sender { name } } } } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const RIGHT = ['ada@schemaflow.dev', 'linus@schemaflow.dev', 'margaret@schemaflow.dev'];

const home = new Agent({ connections: 64 });
const elsewhere = new Agent({ connections: 64, localAddress: '127.0.0.9' });

async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}, agent = home) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
  return { ms: performance.now() - started, code: response.status !== 200 ? `HTTP ${response.status}` : (body.errors?.[0]?.extensions?.code ?? 'OK'), body };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `n=${sorted.length} p50=${percentile(sorted, 50).toFixed(0)} ms p99=${percentile(sorted, 99).toFixed(0)} ms max=${(sorted.at(-1) ?? NaN).toFixed(0)} ms`;
};
const tally = (codes: string[]) => Object.entries(codes.reduce<Record<string, number>>((counts, code) => ({ ...counts, [code]: (counts[code] ?? 0) + 1 }), {})).map(([code, n]) => `${code} ${n}`).join(', ');

async function dashboards(url: string, auth: Record<string, string>, until: number): Promise<{ latencies: number[]; codes: string[] }> {
  const latencies: number[] = [];
  const codes: string[] = [];
  await Promise.all(
    [0, 1].map(async () => {
      while (Date.now() < until) {
        const { ms, code } = await post(url, DASHBOARD, { id: DEMO_USER_IDS.grace }, auth);
        latencies.push(ms);
        codes.push(code);
      }
    }),
  );
  return { latencies, codes };
}

async function signInStorm(url: string, until: number): Promise<{ latencies: number[]; right: string[]; wrong: string[] }> {
  const latencies: number[] = [];
  const right: string[] = [];
  const wrong: string[] = [];
  const inFlight: Promise<void>[] = [];
  for (let n = 0; Date.now() < until; n++) {
    const isRight = n % 5 !== 4;
    const input = isRight ? { email: RIGHT[n % RIGHT.length], password: DEMO_PASSWORD } : { email: `nobody.${n}@bench.test`, password: 'not the password' };
    inFlight.push(
      post(url, LOGIN, { input }, {}, isRight ? home : elsewhere).then(({ ms, code }) => {
        if (isRight) latencies.push(ms);
        (isRight ? right : wrong).push(code);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
  }
  await Promise.all(inFlight);
  return { latencies, right, wrong };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schemaflow-bench-signins-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const match = /SchemaFlow is up: (\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error(`npm start ended:\n${output}`)));
    });
    const { body } = await post(url, LOGIN, { input: { email: 'grace@schemaflow.dev', password: DEMO_PASSWORD } });
    const auth = { authorization: `Bearer ${body.data.login.accessToken}` };
    await dashboards(url, auth, Date.now() + 2_000); // warm-up: query plans, pools, JIT
    const baseline = await dashboards(url, auth, Date.now() + seconds * 1000);
    const until = Date.now() + seconds * 1000;
    const [stormed, storm] = await Promise.all([dashboards(url, auth, until), signInStorm(url, until)]);
    process.stdout.write(`dashboard alone:              ${summary(baseline.latencies)} (${tally(baseline.codes)})\n`);
    process.stdout.write(`dashboard, ${rate} sign-ins/s:    ${summary(stormed.latencies)} (${tally(stormed.codes)})\n`);
    process.stdout.write(`right passwords:              ${summary(storm.latencies)} (${tally(storm.right)})\n`);
    process.stdout.write(`wrong passwords (elsewhere):  ${tally(storm.wrong)}\n`);
  } finally {
    child.kill('SIGINT');
    await exited;
    await Promise.all([home.close(), elsewhere.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:signins failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
