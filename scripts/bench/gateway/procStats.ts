import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { descendants } from '../../../test/support/processTree';

/*
 * What the benchmark reads from Linux's /proc about the processes it runs, and how it pins them
 * (taskset). Times are in clock ticks (USER_HZ, 100 a second on Linux).
 */
export const TICKS_PER_SECOND = 100;

/** The process and every live descendant (Hive Gateway may run workers). */
export function processTree(pid: number): number[] {
  return [pid, ...descendants(pid)];
}

/** User + system CPU time of a process (all its threads), in ticks; 0 once it is gone. */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Peak resident memory since the start or the last `resetPeakRss`, in KiB (VmHWM). */
export function peakRssKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Starts the peak over from the current RSS (writing 5 to clear_refs), so that each round's peak
 * is its own. False where the kernel does not allow it (then the peak is since the start).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Pins a process and all its threads to one core. */
export function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
}

/** Busy and total ticks of every core so far (from /proc/stat), to tell how loaded each was. */
export function coreTicks(): { busy: number; total: number }[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
      const busy = user! + nice! + system! + irq! + softirq! + steal!;
      return { busy, total: busy + idle! + iowait! };
    });
}
