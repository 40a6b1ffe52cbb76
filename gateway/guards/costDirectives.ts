import type { ApolloGateway } from '@apollo/gateway';
import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import type { Logger } from '../../lib/logger';

/** A field's `@listSize` (Federation 2.9 demand control, https://specs.apollo.dev/cost/v0.1). */
export interface ListSize {
  /** How many items the list is assumed to hold when no slicing argument says. */
  assumedSize?: number;
  /** Arguments whose value is the list's size (`first`). */
  slicingArguments?: string[];
  /** On a connection: the list fields of its type that the size applies to (`edges`). */
  sizedFields?: string[];
}

/** The `@cost` weights and `@listSize`s of a supergraph, by type and by `Type.field`. */
export interface CostDirectives {
  fieldWeight(type: string, field: string): number | undefined;
  typeWeight(type: string): number | undefined;
  listSize(type: string, field: string): ListSize | undefined;
}

export const NO_COST_DIRECTIVES: CostDirectives = { fieldWeight: () => undefined, typeWeight: () => undefined, listSize: () => undefined };

const COST_SPEC = 'https://specs.apollo.dev/cost/';

/**
 * The names the supergraph gives the cost spec's directives, as its `@link` says: composition
 * links `https://specs.apollo.dev/cost/v0.1` and writes `@cost` (the spec's own name, so never
 * prefixed) and `@listSize` when imported, `@cost__listSize` otherwise (`as:` renames the prefix).
 */
function costDirectiveNames(document: DocumentNode): { cost: string; listSize: string } | null {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const args = Object.fromEntries((directive.arguments ?? []).map((argument) => [argument.name.value, valueFromASTUntyped(argument.value)]));
      if (typeof args.url !== 'string' || !args.url.startsWith(COST_SPEC)) continue;
      const prefix = typeof args.as === 'string' ? args.as : 'cost';
      const imports = Array.isArray(args.import) ? (args.import as unknown[]) : [];
      const imported = (name: string): string | undefined => {
        for (const entry of imports) {
          if (entry === `@${name}`) return name;
          if (entry && typeof entry === 'object' && (entry as { name?: unknown }).name === `@${name}`) {
            const renamed = (entry as { as?: unknown }).as;
            return typeof renamed === 'string' ? renamed.replace(/^@/, '') : name;
          }
        }
        return undefined;
      };
      return { cost: imported('cost') ?? prefix, listSize: imported('listSize') ?? `${prefix}__listSize` };
    }
  }
  return null;
}

const numberArgument = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
const stringsArgument = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined);

/**
 * Reads the cost directives out of the supergraph the gateway serves, so a subgraph team that
 * changes a `@listSize` or `@cost` changes the estimate with the next supergraph, without a
 * gateway release. A supergraph without the cost spec has none (every estimate uses defaults).
 */
export function costDirectivesOf(supergraphSdl: string): CostDirectives {
  const document = parse(supergraphSdl, { noLocation: true });
  const names = costDirectiveNames(document);
  if (!names) return NO_COST_DIRECTIVES;
  const fieldWeights = new Map<string, number>();
  const typeWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const argumentsOf = (directive: ConstDirectiveNode) =>
    Object.fromEntries((directive.arguments ?? []).map((argument) => [argument.name.value, valueFromASTUntyped(argument.value)]));
  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined) => {
    const cost = directives?.find((directive) => directive.name.value === names.cost);
    return cost ? numberArgument(argumentsOf(cost).weight) : undefined;
  };
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION &&
      definition.kind !== Kind.SCALAR_TYPE_DEFINITION &&
      definition.kind !== Kind.ENUM_TYPE_DEFINITION
    ) {
      continue;
    }
    const type = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) typeWeights.set(type, typeWeight);
    if (!('fields' in definition)) continue;
    for (const field of definition.fields ?? []) {
      const key = `${type}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) fieldWeights.set(key, weight);
      const listSize = field.directives?.find((directive) => directive.name.value === names.listSize);
      if (listSize) {
        const args = argumentsOf(listSize);
        listSizes.set(key, {
          assumedSize: numberArgument(args.assumedSize),
          slicingArguments: stringsArgument(args.slicingArguments),
          sizedFields: stringsArgument(args.sizedFields),
        });
      }
    }
  }
  return {
    fieldWeight: (type, field) => fieldWeights.get(`${type}.${field}`),
    typeWeight: (type) => typeWeights.get(type),
    listSize: (type, field) => listSizes.get(`${type}.${field}`),
  };
}

/**
 * The cost directives of whatever supergraph the gateway serves, from its first load and each
 * new version on (file or Uplink). A supergraph the gateway took always parses; should reading
 * its directives fail all the same, the previous ones stay and the operator is told.
 */
export function followCostDirectives(gateway: ApolloGateway, logger: Logger): () => CostDirectives {
  let current = NO_COST_DIRECTIVES;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    try {
      current = costDirectivesOf(coreSupergraphSdl);
    } catch (error) {
      logger.error('could not read @cost/@listSize from the new supergraph; estimating with the previous ones', error);
    }
  });
  return () => current;
}
