import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../../gateway/nodeFlags';

/** Every way the gateway is started passes gateway/nodeFlags.ts, before tsx and the entry. */
const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

test('gateway/Dockerfile starts the gateway with the flags', () => {
  const cmd = /^CMD (\[.*\])$/m.exec(read('gateway/Dockerfile'))?.[1];
  expect(JSON.parse(cmd!)).toEqual(['node', ...GATEWAY_NODE_FLAGS, '--import', 'tsx', 'gateway/main.ts']);
});

test('npm run start:gateway starts it with the flags', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  expect(scripts['start:gateway']).toBe(['node', ...GATEWAY_NODE_FLAGS, '--import', 'tsx', 'gateway/main.ts'].join(' '));
});

test('npm start and the benchmark pass them where they start the gateway', () => {
  expect(read('scripts/start.ts')).toMatch(/startServiceProcess\('gateway', 'gateway\/main\.ts', [^\n]*, GATEWAY_NODE_FLAGS\)/);
  expect(read('scripts/bench/gateway/gateways.ts')).toContain("args: [...GATEWAY_NODE_FLAGS, '--import', 'tsx', join(checkout, OURS_MAIN)]");
});
