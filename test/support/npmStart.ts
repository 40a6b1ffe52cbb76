import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../scripts/demoData';
import { expectNoErrors } from './fixtures';
import { descendants, isAlive } from './processTree';
import { graphqlPost } from './stack';

/** `npm start` (scripts/start.ts) run as a process of its own, as a newcomer runs it. */
const ROOT = join(__dirname, '..', '..');

export interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Runs scripts/start.ts on `dataDir` with nothing configured but the port (and `env`): it starts its own engines. */
export function spawnStart(dataDir: string, port: number, env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/(MONGO|POSTGRES|DATABASE)_URL$/.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], {
    cwd: ROOT,
    env: { ...inherited, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** Starts it and waits until it says it is up. */
export async function start(dataDir: string, port: number, env: Record<string, string> = {}): Promise<Running> {
  const { child, output } = spawnStart(dataDir, port, env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not up in time:\n${output()}`)), 150_000);
    child.stdout!.on('data', () => {
      const match = /SchemaFlow is up: (\S+)/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code}:\n${output()}`));
    });
  });
  return { child, url, output };
}

/** Ctrl-C: resolves with the exit code once every process it started is gone. */
export async function interrupt(running: Running, expectedProcesses = 7): Promise<number | null> {
  const tree = descendants(running.child.pid!);
  expect(tree.length).toBeGreaterThanOrEqual(expectedProcesses);
  const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
  running.child.kill('SIGINT');
  const code = await exited;
  expect(tree.filter(isAlive)).toEqual([]);
  return code;
}

/** The pid of the process running `entry` (e.g. `subgraphs/payments/main.ts`) under `running`, if there is one. */
export function serviceProcess(running: Running, entry: string): number | undefined {
  return descendants(running.child.pid!).find((pid) => {
    try {
      return isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.endsWith(entry));
    } catch {
      return false;
    }
  });
}

/** Signs a demo user in (they all have the demo password) and returns their Authorization header. */
export async function signIn(url: string, email: string): Promise<Record<string, string>> {
  const { login } = expectNoErrors(
    await graphqlPost<{ login: { accessToken: string } }>(url, `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`, {
      input: { email, password: DEMO_PASSWORD },
    }),
  );
  return { authorization: `Bearer ${login.accessToken}` };
}
