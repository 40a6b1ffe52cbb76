import { context } from '@opentelemetry/api';
import { getNamedType, isCompositeType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { endFailed } from './endSpan';
import { activeTracer, serviceContext } from './tracing';

/**
 * Gives the resolvers that do a subgraph's work a span each (`resolve Query.user`,
 * `resolve Query._entities`, `resolve User.projects`): every field of the root types, and the
 * fields of other types that have a resolver of their own and return objects (where the loaders
 * and stores are called). Plain and scalar fields get none: a span per scalar would cost more than
 * the field. The resolver runs inside its span, so the database calls it makes are its children.
 * Outside a traced request (tracing off) the wrapper only calls the resolver.
 */
export function traceResolvers(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean).map((type) => type!.name));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const root = roots.has(type.name);
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve || (!root && !isCompositeType(getNamedType(field.type)))) continue;
      field.resolve = traced(`resolve ${type.name}.${field.name}`, field.resolve, field.name === '_entities');
    }
  }
  return schema;
}

function traced(name: string, resolve: GraphQLFieldResolver<unknown, unknown>, entities: boolean): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, ctx, info) => {
    const tracer = activeTracer();
    if (!tracer) return resolve(source, args, ctx, info);
    const span = tracer.startSpan(name, { attributes: { 'graphql.field.path': pathOf(info.path), ...(entities ? entityTypes(args) : {}) } });
    const fail = (error: unknown) => {
      endFailed(span, error);
      throw error;
    };
    try {
      const result = context.with(serviceContext(context.active(), tracer, span), () => resolve(source, args, ctx, info));
      if (isPromise(result)) return result.then((value) => (span.end(), value), fail);
      span.end();
      return result;
    } catch (error) {
      return fail(error);
    }
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function pathOf(path: { prev: unknown; key: string | number } | undefined): string {
  const keys: (string | number)[] = [];
  for (let at = path; at; at = at.prev as typeof path) keys.unshift(at.key);
  return keys.join('.');
}

/** Which entity types an `_entities` call resolves (its representations' `__typename`s). */
function entityTypes(args: Record<string, unknown>): Record<string, string[] | number> {
  const representations = Array.isArray(args.representations) ? (args.representations as { __typename?: unknown }[]) : [];
  const types = [...new Set(representations.map((representation) => String(representation?.__typename)))];
  return { 'graphql.entities.types': types, 'graphql.entities.count': representations.length };
}

