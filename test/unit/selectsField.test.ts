import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { selectsField } from '../../lib/selectsField';

/** The info of the first root field's first sub-field (`latestVersion` below), as graphql-js hands it to a resolver. */
function infoOf(query: string) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const root = operation.selectionSet.selections[0] as FieldNode;
  const fieldNodes = root.selectionSet!.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'latestVersion');
  return { fieldNodes, fragments };
}

test('finds a sub-field asked directly, in an inline fragment or in a fragment spread', () => {
  expect(selectsField(infoOf('{ project { latestVersion { number document } } }'), 'document')).toBe(true);
  expect(selectsField(infoOf('{ project { latestVersion { ... on ProjectVersion { document } } } }'), 'document')).toBe(true);
  expect(selectsField(infoOf('{ project { latestVersion { ...V } } } fragment V on ProjectVersion { ...W } fragment W on ProjectVersion { document }'), 'document')).toBe(true);
});

test('does not find it when it is not asked, nested deeper, or only an alias has its name', () => {
  expect(selectsField(infoOf('{ project { latestVersion { number message } } }'), 'document')).toBe(false);
  expect(selectsField(infoOf('{ project { latestVersion { project { latestVersion { document } } } } }'), 'document')).toBe(false);
  expect(selectsField(infoOf('{ project { latestVersion { document: message } } }'), 'document')).toBe(false);
});

test('looks at every node of a field merged from several selections, and survives fragment cycles', () => {
  expect(selectsField(infoOf('{ project { latestVersion { number } latestVersion { document } } }'), 'document')).toBe(true);
  expect(selectsField(infoOf('{ project { latestVersion { ...A } } } fragment A on ProjectVersion { ...B } fragment B on ProjectVersion { ...A number }'), 'document')).toBe(false);
});
