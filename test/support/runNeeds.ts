import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CHROMIUM, RABBITMQ, REDIS, type SystemTool } from '../../scripts/systemTools';

/** What one jest run needs from the machine, judged from the test files it selected. */
export interface RunNeeds {
  /** PostgreSQL and MongoDB engines: every tier but test/unit uses them. */
  engines: boolean;
  /** A RabbitMQ node of the run's own (none when TEST_AMQP_URL names a broker). */
  rabbitMq: boolean;
  /** System packages the selected files need, to be installed or reported before anything runs. */
  tools: SystemTool[];
}

/** Each tool and how a test file shows that it needs it (what it imports), unless a variable points elsewhere. */
const USES: { tool: SystemTool; imports: RegExp; unlessSet?: string }[] = [
  { tool: RABBITMQ, imports: /^import [^;]+ from '\.\.\/support\/rabbitmq';/m, unlessSet: 'TEST_AMQP_URL' },
  { tool: CHROMIUM, imports: /^import [^;]+ from '(playwright-core|\.\.\/support\/chromium)';/m },
  { tool: REDIS, imports: /^import [^;]+ from '\.\.\/support\/redis';/m, unlessSet: 'TEST_REDIS_URL' },
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'support' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The files jest will run for `testPathPattern` (its own rule: a case-insensitive regular
 * expression over the absolute path; empty selects all), and what they need.
 */
export function runNeeds(rootDir: string, testPathPattern: string, env: NodeJS.ProcessEnv = process.env): RunNeeds {
  const pattern = new RegExp(testPathPattern, 'i');
  const testsDir = join(rootDir, 'test');
  const selected = testFiles(testsDir).filter((file) => pattern.test(file));
  return needsOf(
    selected.map((file) => ({ path: relative(testsDir, file).split(sep).join('/'), source: readFileSync(file, 'utf8') })),
    env,
  );
}

/** What test files (paths relative to test/, and their sources) need; test/unit alone needs nothing but npm. */
export function needsOf(files: { path: string; source: string }[], env: NodeJS.ProcessEnv): RunNeeds {
  const used = USES.filter(({ imports, unlessSet }) => !(unlessSet && env[unlessSet]) && files.some(({ source }) => imports.test(source)));
  return {
    engines: files.some(({ path }) => !path.startsWith('unit/')),
    rabbitMq: used.some(({ tool }) => tool === RABBITMQ),
    tools: used.map(({ tool }) => tool),
  };
}
