import { cleanEnv, num, str, url } from 'envalid';
import { throwingReporter } from '../env';

/** How a process exports its traces; null (no OTEL_EXPORTER_OTLP_ENDPOINT) means tracing is off. */
export interface TracingConfig {
  /** OTLP/HTTP base URL (a collector, Jaeger, Tempo); spans are POSTed as JSON to `<endpoint>/v1/traces`. */
  endpoint: string;
  sampler: TracesSampler;
  /** For the ratio samplers: the share of new traces kept, 0 to 1. */
  ratio: number;
  /** How long finished spans are batched before an export, ms. */
  scheduleDelayMs: number;
}

/** The standard OTEL_TRACES_SAMPLER values (the OpenTelemetry SDK environment specification). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/**
 * The OpenTelemetry variables this product honours, read once at start. The SDK's own environment
 * reading is not used: every process parses its config here and passes it down.
 */
export function tracingConfigFromEnv(environment: NodeJS.ProcessEnv = process.env): TracingConfig | null {
  const env = cleanEnv(
    environment,
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: url({ default: undefined, desc: 'OTLP/HTTP endpoint traces are exported to (e.g. http://localhost:4318); unset: tracing is off' }),
      OTEL_TRACES_SAMPLER: str({ choices: TRACES_SAMPLERS, default: 'parentbased_always_on', desc: 'Which traces are kept' }),
      OTEL_TRACES_SAMPLER_ARG: num({ default: 1, desc: 'For the *traceidratio samplers: the share of new traces kept, 0 to 1' }),
      OTEL_BSP_SCHEDULE_DELAY: num({ default: 5_000, desc: 'How long finished spans are batched before an export, ms' }),
    },
    { reporter: throwingReporter },
  );
  if (env.OTEL_TRACES_SAMPLER_ARG < 0 || env.OTEL_TRACES_SAMPLER_ARG > 1) throw new Error('invalid environment: OTEL_TRACES_SAMPLER_ARG: must be from 0 to 1');
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  return Object.freeze({
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ''),
    sampler: env.OTEL_TRACES_SAMPLER,
    ratio: env.OTEL_TRACES_SAMPLER_ARG,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
  });
}
