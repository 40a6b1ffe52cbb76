import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code when the process ends, for whatever reason. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..');

/**
 * Runs one service (`<entry>`, a main.ts) as its own Node process, TypeScript loaded by tsx, with
 * an IPC channel: the service reports `{ type: 'ready', url }` once it listens, and exits by itself
 * if this parent dies (see lib/runMain.ts). `nodeFlags`: the service's own Node flags.
 */
export function startServiceProcess(name: string, entry: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): Promise<ServiceProcess> {
  const child = fork(join(ROOT, entry), [], {
    env: { ...process.env, ...env },
    execArgv: [...nodeFlags, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message?.type === 'ready') resolve({ name, url: message.url ?? '', child, exited, stop });
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
}
