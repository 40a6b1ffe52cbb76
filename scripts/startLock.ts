import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** In DATA_DIR: which `npm start` runs on that folder's engines, and where it serves. */
export const LOCK_FILE = 'start.lock';

export interface StartLockHolder {
  pid: number;
  /** The gateway's URL. */
  url: string;
  startedAt: string;
}

export class AlreadyRunningError extends Error {
  constructor(readonly holder: StartLockHolder, dataDir: string) {
    super(
      `SchemaFlow is already running on ${dataDir} (pid ${holder.pid}, ${holder.url}, since ${holder.startedAt}); ` +
        'stop that one first, or give this one another DATA_DIR',
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the folder.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): StartLockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as StartLockHolder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : null;
  } catch {
    return null; // gone meanwhile, or half-written by a start that was killed: not a holder
  }
}

/**
 * Claims `dataDir` for this process before any engine is touched, so a second `npm start` on the
 * same folder refuses (AlreadyRunningError, naming the first one's pid and URL) instead of
 * stopping the PostgreSQL the first one still serves from. A lock whose process is gone (a start
 * killed outright) is stale and taken over. Returns the release, which removes the file only
 * while it is still this process's.
 */
export function acquireStartLock(dataDir: string, url: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  const mine: StartLockHolder = { pid: process.pid, url, startedAt: new Date().toISOString() };
  // Twice at most: once more after clearing a stale lock (a start racing us may win that one).
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // `wx`: of two starts racing for the folder, only one creates the file.
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder && isAlive(holder.pid)) throw new AlreadyRunningError(holder, dataDir);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`another start is claiming ${dataDir} at this moment`);
}
