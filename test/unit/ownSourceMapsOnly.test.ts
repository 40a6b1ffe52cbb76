import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Which modules Node holds a source map for, in a process run as the services run (node --import tsx). */
function heldMaps(first: string): { dependency: boolean; own: boolean } {
  const script = `${first}
    const { findSourceMap } = require('node:module');
    require('@apollo/gateway');
    require('./lib/env');
    console.log(JSON.stringify({ dependency: !!findSourceMap(require.resolve('@apollo/gateway')), own: !!findSourceMap(require.resolve('./lib/env')) }));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop()!) as { dependency: boolean; own: boolean };
}

test('with lib/ownSourceMapsOnly first, dependencies keep no source map and our files keep theirs', () => {
  expect(heldMaps('')).toEqual({ dependency: true, own: true });
  expect(heldMaps("require('./lib/ownSourceMapsOnly');")).toEqual({ dependency: false, own: true });
}, 60_000);
