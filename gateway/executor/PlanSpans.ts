import { context, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { endFailed, endWhenSettled } from '../../lib/tracing/endSpan';

/**
 * The OpenTelemetry spans of one request that the gateway's own executor runs, in the layout of
 * Apollo Gateway's executor (README "Traces"): `gateway.request` around it all, in it
 * `gateway.plan` (only when the operation was not compiled yet) and `gateway.execute`, in that a
 * `gateway.fetch` per fetch of the plan (attribute `service`) and `gateway.postprocessing` (the
 * response shaped). Apollo's `gateway.validate` (variable coercion, a few microseconds) is not
 * made: a span of its own would cost more than the work.
 *
 * One is made per request only while tracing is on (FastGateway holds a tracer then) and the
 * request's trace is kept; otherwise the executor makes none, and its steps check one field. Every
 * span is started with its parent given, never read from the async context (the gateway runs
 * without one, lib/tracing/tracing.ts `asyncContext`): the request's from the GatewayContext, a
 * fetch's passed down to the data source and the subgraph client (gateway/client/withTracing.ts),
 * whose span's `traceparent` goes to the subgraph.
 */
export class PlanSpans {
  private readonly request: Span;
  private readonly requestContext: Context;
  private executeContext: Context;

  /**
   * The spans of a request, in the request's span (`parent`: its context, else the active one);
   * null when that span is not recorded (its trace sampled out): every sampler decides a child as
   * it decided the parent, so none of these would be either.
   */
  static start(tracer: Tracer, operationName: string | null | undefined, parent: Context = context.active()): PlanSpans | null {
    const parentSpan = trace.getSpan(parent);
    return parentSpan && !parentSpan.isRecording() ? null : new PlanSpans(tracer, operationName, parent);
  }

  private constructor(
    private readonly tracer: Tracer,
    operationName: string | null | undefined,
    parent: Context,
  ) {
    const attributes: Attributes | undefined = operationName ? { 'graphql.operation.name': operationName } : undefined;
    this.request = tracer.startSpan('gateway.request', { attributes }, parent);
    this.requestContext = trace.setSpan(parent, this.request);
    this.executeContext = this.requestContext;
  }

  /** The operation's type (query, mutation), known once its operation context is built. */
  operationType(type: string): void {
    this.request.setAttribute('graphql.operation.type', type);
  }

  /** Runs `work` (the whole request) inside gateway.request, which ends with it: failed when it throws or answers errors. */
  async around(work: () => Promise<GatewayExecutionResult>): Promise<GatewayExecutionResult> {
    try {
      const result = await work();
      if (result.errors) this.request.setStatus({ code: SpanStatusCode.ERROR });
      this.request.end();
      return result;
    } catch (error) {
      endFailed(this.request, error);
      throw error;
    }
  }

  /** Runs `work` with gateway.request as the active span (Apollo's executor, which reads its parent from there). */
  withinRequest<T>(work: () => T): T {
    return context.with(this.requestContext, work);
  }

  /** Builds the query plan inside gateway.plan. */
  plan<T>(operationName: string | null | undefined, build: () => T): T {
    const span = this.tracer.startSpan('gateway.plan', operationName ? { attributes: { 'graphql.operation.name': operationName } } : {}, this.requestContext);
    let planned: T;
    try {
      planned = build();
    } catch (error) {
      endFailed(span, error);
      throw error;
    }
    span.end();
    return planned;
  }

  /** Runs the plan and shapes its response inside gateway.execute; failed when the response has errors. */
  async execute(work: () => Promise<GatewayExecutionResult>): Promise<GatewayExecutionResult> {
    const span = this.tracer.startSpan('gateway.execute', undefined, this.requestContext);
    this.executeContext = trace.setSpan(this.requestContext, span);
    try {
      const result = await work();
      if (result.errors) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return result;
    } catch (error) {
      endFailed(span, error);
      throw error;
    }
  }

  /**
   * One subgraph request of the plan inside gateway.fetch, whose context `work` passes to the data
   * source (and is the active one where async context is on). `fetches`: how many of the plan's
   * fetches the request carries (more than one when merged: attribute `gateway.fetch.merged`).
   */
  fetch<T>(service: string, work: (within: Context) => Promise<T>, fetches = 1): Promise<T> {
    const attributes: Attributes = fetches > 1 ? { service, 'gateway.fetch.merged': fetches } : { service };
    const span = this.tracer.startSpan('gateway.fetch', { attributes }, this.executeContext);
    const within = trace.setSpan(this.executeContext, span);
    return endWhenSettled(span, context.with(within, work, undefined, within));
  }

  /** Shapes the response inside gateway.postprocessing: failed when shaping failed or found values it could not complete. */
  postprocessing(shape: () => GatewayExecutionResult): GatewayExecutionResult {
    const span = this.tracer.startSpan('gateway.postprocessing', undefined, this.executeContext);
    const result = shape();
    if (result.extensions?.valueCompletion || (result.errors && result.data === undefined)) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    return result;
  }
}
