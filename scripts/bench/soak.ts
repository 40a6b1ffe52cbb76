import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { freePort } from '../../engines/freePort';
import { DEMO_PASSWORD, DEMO_USERS } from '../demoData';
import { descendants } from '../../test/support/processTree';

/**
 * `npm run bench:soak`: the product as `npm start` runs it (its own engines, six processes), the
 * gateway pinned to a core of its own, everything else (subgraphs, engines, this load generator)
 * on the other. Signed-in users read their dashboards (each request with its own user's token)
 * in rounds that rotate: dashboards alone, then dashboards beside anonymous floods of 5,000-alias
 * operations. Prints the dashboards' p50/p99 per phase and the ratio of p99 with floods to p99
 * without (goal: at most 1.5), and over the whole run the gateway's memory, open descriptors and
 * errors, sampled every second.
 *
 * Options (environment): SOAK_ROUNDS (3), SOAK_PHASE_SECONDS (10), SOAK_DASHBOARD_CONNECTIONS (8),
 * SOAK_FLOOD_CONNECTIONS (4), SOAK_USERS (24: registered besides the demo users).
 */
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 3);
const PHASE_SECONDS = Number(process.env.SOAK_PHASE_SECONDS ?? 10);
const DASHBOARD_CONNECTIONS = Number(process.env.SOAK_DASHBOARD_CONNECTIONS ?? 8);
const FLOOD_CONNECTIONS = Number(process.env.SOAK_FLOOD_CONNECTIONS ?? 4);
const USERS = Number(process.env.SOAK_USERS ?? 24);
const ROOT = join(__dirname, '..', '..');

const DASHBOARD = `query Dashboard {
  me {
    name
    teams { edges { node { name memberCount } } }
    projects { edges { node { name team { name } latestVersion { number message author { name } } } } }
    profile { bio }
    sent: payments(direction: SENT) { edges { node { amount currency status recipient { name } } } }
    received: payments(direction: RECEIVED) { edges { node { amount currency status sender { name } } } }
  }
}`;
const FLOOD = JSON.stringify({ query: `{ ${Array.from({ length: 5_000 }, (_, i) => `a${i}: me { id }`).join(' ')} }` });

const say = (message: string) => process.stdout.write(`[soak] ${message}\n`);

/** The first failed dashboard of the run, printed at the end (what went wrong, not just how often). */
let firstFailure: string | null = null;

interface Sample {
  latencyMs: number;
  ok: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function post(pool: Pool, body: string, authorization?: string): Promise<{ status: number; json: any }> {
  const response = await pool.request({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  });
  const text = await response.body.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Counted as an error by the caller.
  }
  return { status: response.statusCode, json };
}

async function startProduct(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    // The soak users all sign up from this one address.
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'error', REGISTRATIONS_PER_ADDRESS_PER_HOUR: '100000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the product did not start in time:\n${output}`)), 240_000);
    child.stdout!.on('data', () => {
      const match = /SchemaFlow is up: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function gatewayStats(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Pins `pid` and all its threads to one core. */
function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
}

async function signIn(pool: Pool, email: string, password: string): Promise<string> {
  const { json } = await post(
    pool,
    JSON.stringify({ query: `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, variables: { input: { email, password } } }),
  );
  const token = json?.data?.login?.accessToken;
  if (!token) throw new Error(`could not sign ${email} in: ${JSON.stringify(json)}`);
  return `Bearer ${token}`;
}

async function registerUsers(pool: Pool): Promise<string[]> {
  const tokens: string[] = [];
  for (let index = 0; index < USERS; index++) {
    const { json } = await post(
      pool,
      JSON.stringify({
        query: `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`,
        variables: { input: { email: `soak.${Date.now().toString(36)}.${index}@example.test`, password: DEMO_PASSWORD, name: `Soak ${index}` } },
      }),
    );
    const token = json?.data?.register?.accessToken;
    if (!token) throw new Error(`could not register a soak user: ${JSON.stringify(json)}`);
    tokens.push(`Bearer ${token}`);
  }
  return tokens;
}

async function phase(pool: Pool, tokens: string[], flood: boolean, seconds = PHASE_SECONDS): Promise<{ samples: Sample[]; floodRequests: number; floodRefused: number }> {
  const until = Date.now() + seconds * 1000;
  const samples: Sample[] = [];
  let next = 0;
  let floodRequests = 0;
  let floodRefused = 0;
  const body = JSON.stringify({ query: DASHBOARD });
  const dashboards = Array.from({ length: DASHBOARD_CONNECTIONS }, async () => {
    while (Date.now() < until) {
      const token = tokens[next++ % tokens.length]!;
      const started = performance.now();
      try {
        const { status, json } = await post(pool, body, token);
        const ok = status === 200 && !json?.errors && Boolean(json?.data?.me);
        if (!ok && firstFailure === null) firstFailure = `HTTP ${status}: ${JSON.stringify(json?.errors ?? json).slice(0, 300)}`;
        samples.push({ latencyMs: performance.now() - started, ok });
      } catch {
        samples.push({ latencyMs: performance.now() - started, ok: false });
      }
    }
  });
  const floods = flood
    ? Array.from({ length: FLOOD_CONNECTIONS }, async () => {
        while (Date.now() < until) {
          floodRequests++;
          try {
            const { status } = await post(pool, FLOOD);
            if (status >= 400) floodRefused++;
          } catch {
            floodRefused++;
          }
        }
      })
    : [];
  await Promise.all([...dashboards, ...floods]);
  return { samples, floodRequests, floodRefused };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schemaflow-soak-'));
  chmodSync(dataDir, 0o755);
  const product = await startProduct(dataDir, await freePort());
  try {
    const gateway = descendants(product.child.pid!).find((pid) => /gateway\/main\.ts/.test(commandLine(pid)));
    if (!gateway) throw new Error('could not find the gateway process');
    // The gateway alone on core 1; everything else, this process included, on core 0.
    for (const pid of [process.pid, product.child.pid!, ...descendants(product.child.pid!)]) if (pid !== gateway) pin(pid, 0);
    pin(gateway, 1);
    say(`product up at ${product.url}; gateway pid ${gateway} pinned to core 1, the rest to core 0`);
    const origin = new URL(product.url).origin;
    const pool = new Pool(origin, { connections: DASHBOARD_CONNECTIONS + FLOOD_CONNECTIONS, pipelining: 1 });
    const tokens = [...(await Promise.all(DEMO_USERS.map((user) => signIn(pool, user.email, DEMO_PASSWORD)))), ...(await registerUsers(pool))];
    say(`${tokens.length} signed-in users; ${ROUNDS} rounds of ${PHASE_SECONDS} s dashboards alone, then beside ${FLOOD_CONNECTIONS} flood connections`);

    // Unmeasured: the first requests compile plans, fill pools and caches and warm the JIT.
    await phase(pool, tokens, false, Math.min(PHASE_SECONDS, 5));
    const timeline: { second: number; rssMb: number; fds: number }[] = [];
    const started = Date.now();
    const sampler = setInterval(() => timeline.push({ second: Math.round((Date.now() - started) / 1000), ...gatewayStats(gateway) }), 1000);
    const results = { alone: [] as Sample[], flood: [] as Sample[] };
    let floodRequests = 0;
    let floodRefused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated: even rounds measure the quiet phase first, odd rounds the flood first.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const flood of order) {
        const result = await phase(pool, tokens, flood);
        (flood ? results.flood : results.alone).push(...result.samples);
        floodRequests += result.floodRequests;
        floodRefused += result.floodRefused;
        const sorted = result.samples.map((s) => s.latencyMs).sort((a, b) => a - b);
        say(`round ${round + 1} ${flood ? 'with floods ' : 'alone       '}: ${result.samples.length} dashboards, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, errors ${result.samples.filter((s) => !s.ok).length}`);
      }
    }
    clearInterval(sampler);
    await pool.close();

    const summary = (samples: Sample[]) => {
      const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
      return { count: samples.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: samples.filter((s) => !s.ok).length };
    };
    const alone = summary(results.alone);
    const flood = summary(results.flood);
    process.stdout.write('\n| phase | dashboards | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|\n');
    process.stdout.write(`| dashboards alone | ${alone.count} | ${alone.p50.toFixed(1)} | ${alone.p99.toFixed(1)} | ${alone.errors} |\n`);
    process.stdout.write(`| beside 5,000-alias floods | ${flood.count} | ${flood.p50.toFixed(1)} | ${flood.p99.toFixed(1)} | ${flood.errors} |\n`);
    process.stdout.write(`\np99 with floods / p99 alone: ${(flood.p99 / alone.p99).toFixed(2)} (goal <= 1.5)\n`);
    process.stdout.write(`floods sent: ${floodRequests}, refused: ${floodRefused}\n`);
    if (firstFailure) process.stdout.write(`first failed dashboard: ${firstFailure}\n`);
    const rss = timeline.map((t) => t.rssMb);
    const fds = timeline.map((t) => t.fds);
    process.stdout.write(
      `gateway over ${timeline.length} s: RSS ${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)} MiB (last ${rss.at(-1)?.toFixed(0)}), descriptors ${Math.min(...fds)}-${Math.max(...fds)} (last ${fds.at(-1)})\n`,
    );
    process.stdout.write(`timeline (s: RSS MiB / fds): ${timeline.filter((_, i) => i % 5 === 0).map((t) => `${t.second}: ${t.rssMb.toFixed(0)}/${t.fds}`).join(', ')}\n`);
  } finally {
    product.child.kill('SIGINT');
    await new Promise((resolve) => product.child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`[soak] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
