import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** What an operation's text asks for, fragments expanded as often as they are spread. */
export interface OperationShape {
  /** Deepest nesting of fields; a root field is depth 1. */
  depth: number;
  /** Aliased fields. */
  aliases: number;
  /** Fields at the root. */
  rootFields: number;
  /** The most directives on one selection (field, fragment spread or inline fragment). */
  directivesPerField: number;
}

const EMPTY: OperationShape = { depth: 0, aliases: 0, rootFields: 0, directivesPerField: 0 };

/**
 * Apollo Server's document store hands the same parsed document to every request with the same
 * text, so each document is measured once.
 */
const measured = new WeakMap<DocumentNode, Map<OperationDefinitionNode, OperationShape>>();

/**
 * The shape of every operation in a document. It runs before the document is validated, so it
 * copes with what validation would refuse: a spread of an unknown fragment counts for nothing,
 * and a fragment that spreads itself (directly or not) is not followed around the cycle. Each
 * fragment is measured once and its counts multiplied where it is spread, so a document of
 * fragments spreading fragments costs its size to measure, not its expanded size.
 */
export function operationShapes(document: DocumentNode): Map<OperationDefinitionNode, OperationShape> {
  const known = measured.get(document);
  if (known) return known;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fragmentShapes = new Map<string, OperationShape>();
  const inProgress = new Set<string>();

  const fragmentShape = (name: string): OperationShape => {
    const done = fragmentShapes.get(name);
    if (done) return done;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const shape = selectionSetShape(fragment.selectionSet);
    inProgress.delete(name);
    fragmentShapes.set(name, shape);
    return shape;
  };

  const selectionSetShape = (selectionSet: SelectionSetNode): OperationShape => {
    const shape = { ...EMPTY };
    const add = (inner: OperationShape, directives: number) => {
      shape.depth = Math.max(shape.depth, inner.depth);
      shape.aliases += inner.aliases;
      shape.rootFields += inner.rootFields;
      shape.directivesPerField = Math.max(shape.directivesPerField, inner.directivesPerField, directives);
    };
    for (const selection of selectionSet.selections) {
      const directives = selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const inner = selection.selectionSet ? selectionSetShape(selection.selectionSet) : EMPTY;
        add({ depth: inner.depth + 1, aliases: inner.aliases + (selection.alias ? 1 : 0), rootFields: 1, directivesPerField: inner.directivesPerField }, directives);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(selectionSetShape(selection.selectionSet), directives);
      } else {
        add(fragmentShape(selection.name.value), directives);
      }
    }
    return shape;
  };

  const shapes = new Map<OperationDefinitionNode, OperationShape>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) shapes.set(definition, selectionSetShape(definition.selectionSet));
  }
  measured.set(document, shapes);
  return shapes;
}
