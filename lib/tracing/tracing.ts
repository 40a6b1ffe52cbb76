import {
  context,
  createContextKey,
  ProxyTracerProvider,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { TracingConfig } from './tracingConfig';
import type * as Sdk from './sdk';

/**
 * Tracing for the whole process, configured once at start (`startTracing`). Every service in the
 * process (one in production; all six in the tests' in-process stack) gets a provider of its own,
 * so its spans carry its own `service.name`.
 *
 * Off (no config), the SDK is not even loaded (./sdk.ts is required on start): `serviceTracer` answers
 * null, the wrappers pass straight through, and Apollo Gateway's own spans go to the API's no-op
 * tracer.
 */

const TRACER_NAME = 'schemaflow';

/**
 * The tracer of the service a piece of work belongs to travels in the OpenTelemetry context beside
 * the span: a resolver or a database call far below the request knows where its spans go without
 * being told, and does nothing when no traced work is active.
 */
const SERVICE_TRACER = createContextKey('schemaflow service tracer');

let current: ProcessTracing | null = null;
let globalsInstalled = false;
let asyncContextInstalled = false;

interface ProcessTracing {
  config: TracingConfig;
  asyncContext: boolean;
  sdk: typeof Sdk;
  providers: Map<string, Sdk.ServiceProvider>;
  /** By service and scope: asked for on every request. */
  tracers: Map<string, Tracer>;
}

function providerFor(tracing: ProcessTracing, service: string): Sdk.ServiceProvider {
  let provider = tracing.providers.get(service);
  if (!provider) {
    provider = tracing.sdk.serviceProvider(tracing.config, service);
    tracing.providers.set(service, provider);
  }
  return provider;
}

/** The tracer of `service` in this process (`scope`: the instrumentation scope its spans name); null when tracing is off. */
export function serviceTracer(service: string, scope: string = TRACER_NAME): Tracer | null {
  if (!current) return null;
  const key = `${service}\0${scope}`;
  let tracer = current.tracers.get(key);
  if (!tracer) {
    tracer = providerFor(current, service).getTracer(scope);
    current.tracers.set(key, tracer);
  }
  return tracer;
}

/** The context that makes `span` the parent of what follows and names the service's tracer. */
export function serviceContext(parent: Context, tracer: Tracer, span: Span): Context {
  return trace.setSpan(parent, span).setValue(SERVICE_TRACER, tracer);
}

/** The active context when a span is active in it (where async context carries one), else `fallback`. */
export function activeSpanContextOr(fallback: Context): Context {
  const active = context.active();
  return trace.getSpan(active) ? active : fallback;
}

/** The tracer of the traced work running now (a request, an event being handled); null outside any. */
export function activeTracer(): Tracer | null {
  return (context.active().getValue(SERVICE_TRACER) as Tracer | undefined) ?? null;
}

/**
 * Apollo Gateway makes its spans (gateway.request, gateway.plan, gateway.execute, gateway.fetch)
 * with the API's global tracer, fetched once when its module loads. This provider, registered
 * once, hands them to the gateway's provider of the moment (none while tracing is off), under
 * Apollo's scope name (`apollo/gateway-js`): a trace tells them from the gateway executor's own.
 */
/** A tracer that makes no spans (not the API's global one, which is GatewayRouting itself once installed). */
const NO_SPANS = new ProxyTracerProvider().getTracer('off');

class GatewayRouting implements TracerProvider {
  getTracer(scope: string): Tracer {
    // Without async context their parents would be lost (each a trace of its own): then none.
    const target = (): Tracer => (current?.asyncContext ? serviceTracer('gateway', scope) : null) ?? NO_SPANS;
    return {
      startSpan: (name: string, options?: SpanOptions, parent?: Context) => target().startSpan(name, options, parent),
      startActiveSpan: ((...args: unknown[]) => {
        const tracer = target();
        return (tracer.startActiveSpan as (...all: unknown[]) => unknown).apply(tracer, args);
      }) as Tracer['startActiveSpan'],
    };
  }
}

function installGlobals(sdk: typeof Sdk, asyncContext: boolean): void {
  if (asyncContext && !asyncContextInstalled) {
    asyncContextInstalled = true;
    // Context follows async work (promises, timers, I/O callbacks) only with this manager.
    context.setGlobalContextManager(sdk.asyncContextManager());
  }
  if (globalsInstalled) return;
  globalsInstalled = true;
  trace.setGlobalTracerProvider(new GatewayRouting());
}

export interface TracingOptions {
  /**
   * Whether the trace context follows async work by itself (AsyncLocalStorage; default true), as
   * the subgraphs' resolvers, database calls and consumers need. A process whose traced work
   * passes its context explicitly (the gateway with its own executor, gateway/main.ts) turns it
   * off: on Node 20 AsyncLocalStorage's hook runs for every promise of the process, most of
   * tracing's cost there (README "bench:tracing"). Without it, log lines carry no `traceId` and
   * Apollo Gateway's own spans are not made (their parents would be lost).
   */
  asyncContext?: boolean;
}

export interface TracingHandle {
  /** Exports every finished span now. */
  flush(): Promise<void>;
  /** Exports what is left and turns tracing off. */
  stop(): Promise<void>;
}

/** Turns tracing on for this process with `config` (null: stays off). One configuration at a time. */
export function startTracing(config: TracingConfig | null, options: TracingOptions = {}): TracingHandle {
  if (!config) return { flush: async () => undefined, stop: async () => undefined };
  if (current) throw new Error('tracing is already started in this process');
  // The SDK is loaded only here: a process with tracing off never loads it.
  const sdk = require('./sdk') as typeof Sdk;
  const asyncContext = options.asyncContext ?? true;
  installGlobals(sdk, asyncContext);
  const tracing: ProcessTracing = { config, asyncContext, sdk, providers: new Map(), tracers: new Map() };
  current = tracing;
  const flush = async () => {
    await Promise.all([...tracing.providers.values()].map((provider) => provider.forceFlush()));
  };
  return {
    flush,
    stop: async () => {
      if (current === tracing) current = null;
      await Promise.all([...tracing.providers.values()].map((provider) => provider.shutdown()));
    },
  };
}
