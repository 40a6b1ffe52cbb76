import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE_DIR = join(__dirname, 'ferretdb');
const BINARY = join(SOURCE_DIR, 'bin', 'ferretdb');
const SOURCES = ['main.go', 'go.mod', 'go.sum'].map((file) => join(SOURCE_DIR, file));

export interface FerretDbServer {
  /** A MongoDB connection string for the server (no database: each service names its own). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Builds engines/ferretdb (a small Go program embedding FerretDB 1.24, see its main.go) unless the
 * binary is newer than its sources. Needs Go; the first build downloads modules through the Go
 * module proxy and takes a minute or two.
 */
export function ensureFerretDbBinary(log: (message: string) => void = () => {}): string {
  const built = existsSync(BINARY) ? statSync(BINARY).mtimeMs : 0;
  if (built > 0 && SOURCES.every((file) => statSync(file).mtimeMs <= built)) return BINARY;
  log('building the FerretDB engine (first run only; about a minute)...');
  try {
    execFileSync('go', ['build', '-trimpath', '-o', BINARY, '.'], { cwd: SOURCE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer };
    if (code === 'ENOENT') throw new Error('Go is needed to build the FerretDB engine (or set MONGO_URL to a MongoDB server)');
    throw new Error(`building FerretDB failed:\n${stderr?.toString() ?? String(error)}`);
  }
  return BINARY;
}

/**
 * Starts FerretDB, a MongoDB wire-protocol server storing its data in the PostgreSQL database at
 * `postgresUrl`, on a free loopback port. Used where no MongoDB server can be had (see README).
 */
export async function startFerretDb(postgresUrl: string, logLevel: string): Promise<FerretDbServer> {
  const binary = ensureFerretDbBinary((message) => process.stderr.write(`${message}\n`));
  const args = ['-listen', '127.0.0.1:0', '-postgresql-url', postgresUrl, '-log-level', logLevel, '-exit-with-stdin'];
  // stdin is a pipe only so that FerretDB notices when this process dies, however it dies.
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^ferretdb listening on (\S+)$/.exec(line.trim());
      if (match) resolve(match[1]!);
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`FerretDB exited with code ${code} before it was ready`)));
  });
  return {
    url: `mongodb://${address}/`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
