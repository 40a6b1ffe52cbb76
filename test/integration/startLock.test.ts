import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStartLock, AlreadyRunningError, LOCK_FILE } from '../../scripts/startLock';

/** One `npm start` per data folder (scripts/startLock.ts), on a real temporary folder. */
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'schemaflow-lock-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(ended.stdout.toString());
}

test('the lock names this process and its gateway URL, and a second claim is refused naming them', () => {
  const release = acquireStartLock(dataDir, 'http://127.0.0.1:4000/graphql');
  const holder = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
  expect(holder).toEqual({ pid: process.pid, url: 'http://127.0.0.1:4000/graphql', startedAt: expect.any(String) });
  let refused: unknown;
  try {
    acquireStartLock(dataDir, 'http://127.0.0.1:4100/graphql');
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(AlreadyRunningError);
  expect((refused as Error).message).toMatch(new RegExp(`already running on .* \\(pid ${process.pid}, http://127\\.0\\.0\\.1:4000/graphql`));
  release();
  expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
});

test('a lock left by a process that is gone is stale and taken over', () => {
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: deadPid(), url: 'http://127.0.0.1:4000/graphql', startedAt: '2026-01-01T00:00:00.000Z' }));
  const release = acquireStartLock(dataDir, 'http://127.0.0.1:4200/graphql');
  expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  release();
});

test('an unreadable lock (a start killed while writing it) is stale too', () => {
  writeFileSync(join(dataDir, LOCK_FILE), '{"pid": 12');
  const release = acquireStartLock(dataDir, 'http://127.0.0.1:4200/graphql');
  expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  release();
});

test('release leaves a lock that is no longer this process’s alone', () => {
  const release = acquireStartLock(dataDir, 'http://127.0.0.1:4000/graphql');
  const other = { pid: 1, url: 'http://127.0.0.1:4300/graphql', startedAt: '2026-01-01T00:00:00.000Z' };
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(other));
  release();
  expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toEqual(other);
});
