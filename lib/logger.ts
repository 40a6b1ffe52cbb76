/**
 * Line-oriented JSON logs on stderr, one object per event, tagged with the service name. Small on
 * purpose: services log little (start, stop, unexpected errors) and ship stdout/stderr to whatever
 * collects logs where they run. A line written during traced work carries its `traceId` (the
 * request id, where there is one, is in the detail): a log line leads to its trace and back. The
 * trace is the active one, or `within` where the caller holds the request's trace context itself
 * (the gateway, which traces without async context).
 */
import { context, trace, type Context } from '@opentelemetry/api';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, detail?: unknown, within?: Context): void;
  info(message: string, detail?: unknown, within?: Context): void;
  warn(message: string, detail?: unknown, within?: Context): void;
  error(message: string, detail?: unknown, within?: Context): void;
}

function describe(detail: unknown): unknown {
  if (detail instanceof Error) return { name: detail.name, message: detail.message, stack: detail.stack };
  return detail;
}

export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  const threshold = ORDER[level];
  const write = (at: LogLevel) => (message: string, detail?: unknown, within?: Context) => {
    if (ORDER[at] < threshold) return;
    const traceId = trace.getSpanContext(within ?? context.active())?.traceId;
    const line = {
      time: new Date().toISOString(),
      level: at,
      service,
      message,
      ...(traceId ? { traceId } : {}),
      ...(detail === undefined ? {} : { detail: describe(detail) }),
    };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
