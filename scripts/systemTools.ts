import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * What the tests and benchmarks need beyond npm, in one place: each tool the project uses from
 * the machine's package manager, where it is expected, the Debian package that provides it, and
 * the variable that points the tests at a running server instead. `npm test` (through
 * test/support/globalSetup.ts) and the benchmarks call `ensureSystemTools` with the tools they
 * need; nothing else installs system packages.
 */
export interface SystemTool {
  /** What it is called in messages. */
  name: string;
  /** The executable whose presence means the tool is there. */
  binary: string;
  /** The Debian package that provides `binary`. */
  debianPackage: string;
  /** Why the project needs it (said when installing it, and when it is missing). */
  purpose: string;
  /** A variable that makes the tool unnecessary (a server already running elsewhere), if any. */
  instead?: string;
}

export const RABBITMQ: SystemTool = {
  name: 'RabbitMQ',
  // Debian's /usr/sbin wrappers `su` to the rabbitmq user; the tests run the real scripts.
  binary: '/usr/lib/rabbitmq/bin/rabbitmq-server',
  debianPackage: 'rabbitmq-server',
  purpose: 'the domain-event tests start RabbitMQ nodes of their own',
  instead: 'TEST_AMQP_URL=amqp://user:password@host:5672 (a running broker)',
};

export const CHROMIUM: SystemTool = {
  name: 'Chromium',
  binary: '/usr/bin/chromium',
  debianPackage: 'chromium',
  purpose: 'the browser test drives the offline explorer in headless Chromium',
};

export const REDIS: SystemTool = {
  name: 'Redis',
  binary: '/usr/bin/redis-server',
  debianPackage: 'redis-server',
  purpose: 'the shared rate-limit tests start Redis servers of their own',
  instead: 'TEST_REDIS_URL=redis://host:6379 (a running server)',
};

export const WRK: SystemTool = {
  name: 'wrk',
  binary: '/usr/bin/wrk',
  debianPackage: 'wrk',
  purpose: 'the gateway benchmarks generate load with wrk',
};

export class MissingSystemTools extends Error {}

/** Whether this process may install Debian packages itself: root, with apt-get on the PATH. */
function canInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function describe(tool: SystemTool): string {
  return `${tool.name} (${tool.binary}, Debian package ${tool.debianPackage}): ${tool.purpose}`;
}

/**
 * Makes sure every tool in `tools` is on the machine. Missing ones are installed with apt-get,
 * once, saying what and why, where this process may (root, as on the project's machines);
 * otherwise this throws `MissingSystemTools` naming each missing piece, the command that provides
 * it and the variable that makes it unnecessary, before anything has run.
 */
export function ensureSystemTools(tools: readonly SystemTool[], log: (message: string) => void): void {
  const missing = [...new Set(tools)].filter((tool) => !existsSync(tool.binary));
  if (missing.length === 0) return;
  const packages = missing.map((tool) => tool.debianPackage);
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (!canInstall()) {
    throw new MissingSystemTools(
      [
        `missing what the selected tests need beyond npm:`,
        ...missing.map((tool) => `  - ${describe(tool)}${tool.instead ? `; or set ${tool.instead}` : ''}`),
        `Install as root: ${command}`,
      ].join('\n'),
    );
  }
  for (const tool of missing) log(`installing ${describe(tool)}`);
  log(`running: ${command} (once: the next run finds them)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another run installing at the same moment holds dpkg's lock: wait for it rather than fail.
  const wait = ['-o', 'DPkg::Lock::Timeout=600'];
  try {
    execFileSync('apt-get', [...wait, 'update'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('apt-get', [...wait, 'install', '-y', ...packages], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new MissingSystemTools(`installing ${packages.join(', ')} failed${stderr ? `:\n${stderr}` : ''}\nInstall them yourself: ${command}`);
  }
  const still = missing.filter((tool) => !existsSync(tool.binary));
  if (still.length > 0) {
    throw new MissingSystemTools(`apt-get installed ${packages.join(', ')} but ${still.map((tool) => tool.binary).join(', ')} is still missing`);
  }
}
