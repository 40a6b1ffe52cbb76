import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface WrkResult {
  /** Answered within the round. */
  requests: number;
  /** Sent, those still unanswered when the round ended included (the gateway still works on them). */
  sent: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-200 answers, answers with GraphQL errors, and socket errors (connect, read, write, timeout). */
  errors: number;
  /** The first failed answer (status and the start of its body), if any. */
  firstError?: string;
}

const SCRIPT = join(__dirname, 'rotateTokens.lua');
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function durationMs(text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
}

/** Reads wrk's report (with --latency) and the script's error count. */
export function parseWrk(output: string): WrkResult {
  const totals = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  if (!totals) throw new Error(`could not read wrk's report:\n${output}`);
  const percentile = (p: string) => durationMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(output)?.[1]);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const seconds = (Number(totals[2]) * UNIT_MS[totals[3]!]!) / 1000;
  const requests = Number(totals[1]);
  return {
    requests,
    sent: Number(/bench-sent (\d+)/.exec(output)?.[1] ?? Number.NaN),
    seconds,
    requestsPerSecond: requests / seconds,
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    firstError: /^bench-first-error (.*)$/m.exec(output)?.[1],
    errors: Number(/bench-errors (\d+)/.exec(output)?.[1] ?? Number.NaN) + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

/**
 * One round of load: wrk (one thread; it inherits this process's core) POSTs `bodyFile` to `url`
 * over `connections` keep-alive connections for `seconds`, each request with the next token of
 * `tokensFile`.
 */
export function runWrk(options: { url: string; seconds: number; connections: number; tokensFile: string; bodyFile: string }): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '30s',
    '--latency',
    '-s',
    SCRIPT,
    options.url,
    '--',
    options.tokensFile,
    options.bodyFile,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${output}`));
      try {
        resolve(parseWrk(output));
      } catch (error) {
        reject(error);
      }
    });
  });
}
