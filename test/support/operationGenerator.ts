import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** A small seeded generator (mulberry32): the same seed gives the same operations, so a failure can be replayed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}

export interface Random {
  next(): number;
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

export interface GeneratorOptions {
  /** Ids that exist in the graph under test, so some lookups find something. */
  knownIds: string[];
  /** How deep selections may go. */
  maxDepth: number;
}

/** Values of each scalar: well-formed, edge-case and wrong ones alike. */
function scalarValue(name: string, random: Random, ids: string[]): unknown {
  switch (name) {
    case 'ID':
      return random.pick([...ids, ...ids, 'not-an-id', '', '00000000-0000-0000-0000-000000000000', '1', 'x'.repeat(300)]);
    case 'Int':
      return random.pick([0, 1, -1, 5, 20, 100, 101, 2_147_483_647, -2_147_483_648]);
    case 'Float':
      return random.pick([0, 1.5, -3.25, 1e300]);
    case 'Boolean':
      return random.chance(0.5);
    case 'String':
      return random.pick(['', 'fuzz', 'Ωmega ✓', 'a'.repeat(2_000), 'fuzz@example.test', '{"not":"json"}', '\u0000', ' padded ']);
    default:
      // Custom scalars (DateTime, JSON, Money, EmailAddress...): a mix of plausible and wrong.
      return random.pick(['2026-01-01T00:00:00Z', 'yesterday', '12.50', '-1.005', 'fuzz@example.test', { nested: [1, 'two'] }, 42, null]);
  }
}

/** A value for an input type; now and then one of the wrong type, to exercise coercion errors. */
function inputValue(type: GraphQLInputType, random: Random, ids: string[], depth: number): unknown {
  if (isNonNullType(type)) return inputValue(type.ofType, random, ids, depth);
  if (random.chance(0.05)) return random.pick([null, 'wrong', 7, [], {}]);
  if (isListType(type)) return Array.from({ length: random.int(0, 3) }, () => inputValue(type.ofType, random, ids, depth + 1));
  if (isEnumType(type)) return random.chance(0.9) ? random.pick(type.getValues()).value : 'NOT_A_VALUE';
  if (isInputObjectType(type)) {
    if (depth > 4) return {};
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || random.chance(0.5)) value[field.name] = inputValue(field.type, random, ids, depth + 1);
    }
    return value;
  }
  if (isScalarType(type)) return scalarValue(type.name, random, ids);
  return null;
}

/**
 * Random operations over a schema's public API: root fields of Query and Mutation with random
 * arguments (passed as variables), nested selections to a random depth through objects,
 * interfaces and unions, aliases, and now and then a request that is wrong on purpose (bad
 * syntax, an unknown field, an unknown operation name, a variable of the wrong type).
 */
export class OperationGenerator {
  private variableCount = 0;
  private variableDefinitions: string[] = [];
  private variables: Record<string, unknown> = {};

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly random: Random,
    private readonly options: GeneratorOptions,
  ) {}

  next(): GeneratedOperation {
    this.variableCount = 0;
    this.variableDefinitions = [];
    this.variables = {};
    const broken = this.random.chance(0.1) ? this.random.int(0, 3) : -1;
    const mutation = this.schema.getMutationType();
    const root = mutation && this.random.chance(0.3) ? mutation : this.schema.getQueryType()!;
    const kind = root === mutation ? 'mutation' : 'query';
    const fields = Object.values(root.getFields());
    const selections = Array.from({ length: this.random.int(1, 3) }, (_, index) =>
      this.field(this.random.pick(fields), 1, index > 0 || this.random.chance(0.2) ? `a${index}` : null),
    );
    if (broken === 1) selections.push('notAFieldAnywhere { id }');
    const name = `Fuzz${this.random.int(0, 1_000_000)}`;
    const header = this.variableDefinitions.length ? `(${this.variableDefinitions.join(', ')})` : '';
    let query = `${kind} ${name}${header} { ${selections.join(' ')} }`;
    if (broken === 0) query = query.slice(0, this.random.int(1, query.length - 1));
    const operation: GeneratedOperation = { query, variables: this.variables, operationName: broken === 2 ? 'NoSuchOperation' : name };
    if (broken === 3) operation.variables = Object.fromEntries(Object.keys(this.variables).map((key) => [key, { wrong: ['shape'] }]));
    return operation;
  }

  private argument(argument: GraphQLArgument): string | null {
    if (!isNonNullType(argument.type) && this.random.chance(0.5)) return null;
    const variable = `v${this.variableCount++}`;
    this.variableDefinitions.push(`$${variable}: ${argument.type.toString()}`);
    this.variables[variable] = inputValue(argument.type, this.random, this.options.knownIds, 0);
    return `${argument.name}: $${variable}`;
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number, alias: string | null): string {
    const args = field.args.map((argument) => this.argument(argument)).filter((text): text is string => text !== null);
    const head = `${alias ? `${alias}: ` : ''}${field.name}${args.length ? `(${args.join(', ')})` : ''}`;
    const type = getNamedType(field.type);
    if (isLeafType(type)) return head;
    return `${head} { ${this.selectionSet(type, depth + 1)} }`;
  }

  private selectionSet(type: GraphQLNamedType, depth: number): string {
    if (isUnionType(type) || isInterfaceType(type)) {
      const possible = this.schema.getPossibleTypes(type);
      const fragments = possible.filter(() => this.random.chance(0.6)).map((member) => `... on ${member.name} { ${this.objectSelections(member, depth)} }`);
      return ['__typename', ...fragments].join(' ');
    }
    return this.objectSelections(type as GraphQLObjectType, depth);
  }

  private objectSelections(type: GraphQLObjectType, depth: number): string {
    if (!isObjectType(type)) return '__typename';
    const fields = Object.values(type.getFields());
    const leaves = fields.filter((field) => isLeafType(getNamedType(field.type)));
    const nested = depth < this.options.maxDepth ? fields.filter((field) => !isLeafType(getNamedType(field.type))) : [];
    const chosen = [...leaves.filter(() => this.random.chance(0.5)), ...nested.filter(() => this.random.chance(0.35))];
    if (chosen.length === 0) return '__typename';
    return chosen.map((field, index) => this.field(field, depth, this.random.chance(0.05) ? `x${index}` : null)).join(' ');
  }
}
