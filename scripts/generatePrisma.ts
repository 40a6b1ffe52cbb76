import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_DATABASES } from '../prisma/migrate';

/**
 * `npm run generate`: generates the Prisma clients (prisma/<db>/generated/), skipping any
 * that is newer than its schema. Prisma's CLI wants to download its schema engine first, which
 * generation does not use; where that download is impossible PRISMA_SCHEMA_ENGINE_BINARY points it
 * at any executable (ENVIRONMENT.md) unless the caller set one.
 */
const root = join(__dirname, '..');
const prismaCli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };

for (const database of POSTGRES_DATABASES) {
  const dir = join(root, 'prisma', database);
  const schema = join(dir, 'schema.prisma');
  const marker = join(dir, 'generated', 'client.ts');
  const upToDate =
    existsSync(marker) &&
    statSync(marker).mtimeMs >= statSync(schema).mtimeMs &&
    readFileSync(marker, 'utf8').length > 0;
  if (upToDate && !process.argv.includes('--force')) continue;
  try {
    execFileSync(process.execPath, [prismaCli, 'generate', '--config', join(dir, 'prisma.config.ts')], { cwd: dir, env, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    console.error(`prisma generate failed for ${database}:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
    process.exit(1);
  }
  console.log(`generated the ${database} Prisma client`);
}
