import { context, trace } from '@opentelemetry/api';
import { createLogger } from '../../lib/logger';
import { serviceTracer, startTracing } from '../../lib/tracing/tracing';
import { tracingConfigFromEnv } from '../../lib/tracing/tracingConfig';

describe('tracingConfigFromEnv', () => {
  test('off without an endpoint', () => {
    expect(tracingConfigFromEnv({})).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' })).toBeNull();
  });

  test('the standard variables, with the specification defaults', () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      endpoint: 'http://collector:4318',
      sampler: 'parentbased_always_on',
      ratio: 1,
      scheduleDelayMs: 5000,
    });
    expect(
      tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }),
    ).toMatchObject({ sampler: 'parentbased_traceidratio', ratio: 0.25 });
  });

  test('bad values are refused, naming the variable', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});

describe('process tracing', () => {
  // Nothing listens there; no span in these tests is ended, so nothing is ever sent.
  const config = { endpoint: 'http://127.0.0.1:9', sampler: 'parentbased_always_on' as const, ratio: 1, scheduleDelayMs: 60_000 };

  test('off: no tracer at all', () => {
    expect(serviceTracer('users')).toBeNull();
  });

  test('a log line written inside a span, or naming one, carries its trace id; outside, none', async () => {
    const tracing = startTracing(config);
    const lines: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(...String(chunk).split('\n').filter((line) => line.startsWith('{'))), true));
    try {
      const logger = createLogger('users');
      const span = serviceTracer('users')!.startSpan('work');
      context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
      logger.info('outside');
      // Where no async context carries the span (the gateway), the caller names the trace it holds.
      logger.warn('named', { requestId: 'r-1' }, trace.setSpan(context.active(), span));
      const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.service === 'users');
      expect(written.find((line) => line.message === 'inside')).toMatchObject({ traceId: span.spanContext().traceId });
      expect(written.find((line) => line.message === 'outside')).not.toHaveProperty('traceId');
      expect(written.find((line) => line.message === 'named')).toMatchObject({ traceId: span.spanContext().traceId, detail: { requestId: 'r-1' } });
    } finally {
      write.mockRestore();
      await tracing.stop();
    }
  });

  test('the ratio sampler keeps none of the new traces at 0, and one configuration at a time', async () => {
    const tracing = startTracing({ ...config, sampler: 'parentbased_traceidratio', ratio: 0 });
    try {
      expect(() => startTracing(config)).toThrow(/already started/);
      expect(serviceTracer('users')!.startSpan('dropped').isRecording()).toBe(false);
    } finally {
      await tracing.stop();
    }
    expect(serviceTracer('users')).toBeNull();
  });
});
