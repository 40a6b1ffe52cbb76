import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Kind, parse, type DocumentNode, type StringValueNode } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { composeSupergraph, subgraphDefinitions } from '../../schema/composeSupergraph';
import { defaultUrl, schemaFile, SUBGRAPHS, SUPERGRAPH_FILE } from '../../schema/subgraphs';

const subgraphServices = subgraphDefinitions;

/** Where two texts first differ, for a failure message a person can act on. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const b = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) return `line ${i + 1}: composed ${JSON.stringify(a[i] ?? '<end of file>')}, committed ${JSON.stringify(b[i] ?? '<end of file>')}`;
  }
  return 'only in bytes that do not split into lines';
}

describe('composition', () => {
  it('composes the five committed subgraph schemas into exactly the committed supergraph', () => {
    const outcome = composeSupergraph();
    if (!outcome.ok) {
      throw new Error(`the committed subgraph schemas do not compose:\n${outcome.errors.map((error) => `  - ${error}`).join('\n')}`);
    }
    const committed = readFileSync(SUPERGRAPH_FILE, 'utf8');
    if (outcome.supergraphSdl !== committed) {
      throw new Error(
        `schema/supergraph.graphql is out of date with the subgraph schemas (${firstDifference(outcome.supergraphSdl, committed)}). ` +
          'Run `npm run compose` and commit the result.',
      );
    }
    expect(Buffer.from(outcome.supergraphSdl, 'utf8').equals(readFileSync(SUPERGRAPH_FILE))).toBe(true);
  });

  it('schema/supergraph.yaml (rover\'s config) names exactly the subgraphs, their files and URLs, and composes the committed supergraph', () => {
    const configFile = join(__dirname, '../../schema/supergraph.yaml');
    const config = parseYaml(readFileSync(configFile, 'utf8')) as {
      federation_version: string;
      subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
    };
    // Everything out of step, listed at once; `npm run compose` rewrites the file.
    const problems: string[] = [];
    const compositionVersion = (require('@apollo/composition/package.json') as { version: string }).version;
    if (config.federation_version !== `=${compositionVersion}`) problems.push(`federation_version is ${config.federation_version}, composition is ${compositionVersion}`);
    const named = Object.keys(config.subgraphs ?? {});
    const expected = SUBGRAPHS.map(({ name }) => name);
    if (named.join() !== expected.join()) problems.push(`subgraphs are ${named.join(', ')}; SUBGRAPHS are ${expected.join(', ')}`);
    for (const { name } of SUBGRAPHS) {
      const entry = config.subgraphs?.[name];
      if (!entry) continue;
      // rover resolves a schema file relative to the config file.
      const file = resolve(dirname(configFile), entry.schema.file);
      if (file !== schemaFile(name)) problems.push(`${name}: schema file ${entry.schema.file} is not subgraphs/${name}/schema.graphql`);
      if (!existsSync(file)) problems.push(`${name}: schema file ${entry.schema.file} does not exist`);
      if (entry.routing_url !== defaultUrl(name)) problems.push(`${name}: routing_url ${entry.routing_url}, defaultUrl ${defaultUrl(name)}`);
    }
    expect(problems).toEqual([]);
    const services = Object.entries(config.subgraphs).map(([name, entry]) => ({
      name,
      url: entry.routing_url,
      typeDefs: parse(readFileSync(resolve(dirname(configFile), entry.schema.file), 'utf8')),
    }));
    const outcome = composeSupergraph(services);
    if (!outcome.ok) throw new Error(`the files schema/supergraph.yaml names do not compose:\n${outcome.errors.map((error) => `  - ${error}`).join('\n')}`);
    expect(outcome.supergraphSdl === readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(true);
  });

  it('lists every error of a composition that fails, not just the first', () => {
    const broken = {
      name: 'broken',
      url: 'http://127.0.0.1:4999/',
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
        type User @key(fields: "id") { id: ID! email: Int }
        type Team @key(fields: "id") { id: ID! name: Int }
      `),
    };
    const outcome = composeSupergraph([...subgraphServices(), broken]);
    if (outcome.ok) throw new Error('composition should have failed');
    const { errors } = outcome;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FIELD_TYPE_MISMATCH: Type of field "User\.email" is incompatible .*"broken".*"users"/),
        expect.stringMatching(/^FIELD_TYPE_MISMATCH: Type of field "Team\.name" is incompatible .*"broken".*"teams"/),
        expect.stringMatching(/^INVALID_FIELD_SHARING: Non-shareable field "User\.email"/),
        expect.stringMatching(/^INVALID_FIELD_SHARING: Non-shareable field "Team\.name"/),
      ]),
    );
    expect(errors).toHaveLength(4);
  });
});

/**
 * The types and fields a client can see in Sandbox without a description: types (root operation
 * types included), fields, input fields and enum values; with `withArguments`, field arguments too.
 * The `extend schema @link(...)` of federation is not a type and is skipped, as are directive
 * definitions (federation's own, none of ours).
 */
function undocumented(subgraph: string, document: DocumentNode, withArguments = false): string[] {
  const missing: string[] = [];
  const hasText = (description: StringValueNode | undefined) => Boolean(description?.value.trim());
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_EXTENSION: {
        const type = definition.name.value;
        // An extension cannot carry a description in SDL; its members still must.
        if ('description' in definition && !hasText(definition.description)) missing.push(`${subgraph}: type ${type}`);
        if (definition.kind === Kind.ENUM_TYPE_DEFINITION || definition.kind === Kind.ENUM_TYPE_EXTENSION) {
          for (const value of definition.values ?? []) if (!hasText(value.description)) missing.push(`${subgraph}: enum value ${type}.${value.name.value}`);
        } else if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
          for (const field of definition.fields ?? []) if (!hasText(field.description)) missing.push(`${subgraph}: input field ${type}.${field.name.value}`);
        } else if ('fields' in definition) {
          for (const field of definition.fields ?? []) {
            const path = `${type}.${field.name.value}`;
            if (!hasText(field.description)) missing.push(`${subgraph}: field ${path}`);
            if (!withArguments) continue;
            for (const arg of field.arguments ?? []) if (!hasText(arg.description)) missing.push(`${subgraph}: argument ${path}(${arg.name.value})`);
          }
        }
        break;
      }
      default:
        break; // schema definition/extension (@link) and directive definitions
    }
  }
  return missing;
}

describe('subgraph schema documentation', () => {
  it('finds an undocumented type, field, argument and enum value (the check can fail)', () => {
    const document = parse(`
      "A thing." type Thing { "Its id." id: ID! name(locale: String): String }
      type Bare { "Documented." a: Int }
      "A choice." enum Choice { "One." ONE TWO }
    `);
    expect(undocumented('test', document, true)).toEqual([
      'test: field Thing.name',
      'test: argument Thing.name(locale)',
      'test: type Bare',
      'test: enum value Choice.TWO',
    ]);
    expect(undocumented('test', document)).toEqual(['test: field Thing.name', 'test: type Bare', 'test: enum value Choice.TWO']);
  });

  it('every type, field, input field and enum value of the five subgraphs has a description', () => {
    const missing = subgraphServices().flatMap((service) => undocumented(service.name, service.typeDefs, true));
    expect(missing).toEqual([]);
  });
});
