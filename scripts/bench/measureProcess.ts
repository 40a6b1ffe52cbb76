import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the process, in MiB (getrusage's maxrss, reported by the process at exit). */
  peakRssMb: number;
  seconds: number;
}

const ROOT = join(__dirname, '..', '..');

/** Runs `node --import tsx <entry> <args>` with `env`; the process reports its own peak RSS as it exits. */
export async function measureProcess(entry: string, args: string[], env: NodeJS.ProcessEnv, before?: () => Promise<void>): Promise<Measured> {
  await before?.();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--require', join(__dirname, 'reportPeakRss.cjs'), join(ROOT, entry), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const match = /\[peak-rss-kb (\d+)\]/.exec(stderr);
      resolve({
        code,
        stdout,
        stderr: stderr.replace(/\[peak-rss-kb \d+\]\n?/, ''),
        peakRssMb: match ? Number(match[1]) / 1024 : Number.NaN,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}
