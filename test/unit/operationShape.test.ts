import { parse } from 'graphql';
import { operationShapes } from '../../gateway/guards/operationShape';
import { operationLimitRefusal } from '../../gateway/guards/operationLimitRefusal';
import type { OperationLimits } from '../../gateway/guards/guardsConfig';

const shapeOf = (text: string) => [...operationShapes(parse(text)).values()];

const LIMITS: OperationLimits = { maxTokens: 5000, maxDepth: 5, maxAliases: 3, maxRootFields: 2, maxDirectivesPerField: 1, maxVariableDepth: 10 };

describe('the shape of an operation', () => {
  test('depth counts nested fields (a root field is 1), aliases and root fields are counted, directives per field', () => {
    expect(shapeOf('{ a: me { id b: name } other @include(if: true) @skip(if: false) }')).toEqual([{ depth: 2, aliases: 2, rootFields: 2, directivesPerField: 2 }]);
  });

  test('fragments count where they are spread, as often as they are spread', () => {
    const [shape] = shapeOf(`
      query { ...F ...F me { ... on User { ...G } } }
      fragment F on Query { x: me { id } }
      fragment G on User { teams { edges { node { id } } } }
    `);
    expect(shape).toEqual({ depth: 5, aliases: 2, rootFields: 3, directivesPerField: 0 });
  });

  test('fragments spreading fragments are measured once each: a document that would expand to 2^40 fields is measured at once', () => {
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const started = Date.now();
    const [shape] = shapeOf(`query { ...F0 }\n${fragments}\nfragment F40 on Query { a: me { id } }`);
    expect(shape!.aliases).toBe(2 ** 40);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('documents validation would refuse are measured without failing: unknown fragments, cycles', () => {
    expect(shapeOf('{ ...Missing me { id } }')).toEqual([{ depth: 2, aliases: 0, rootFields: 1, directivesPerField: 0 }]);
    expect(shapeOf('query { ...A } fragment A on Query { me { ...B } } fragment B on User { id ...A }')[0]!.depth).toBe(2);
  });

  test('every operation of a document is measured', () => {
    expect(shapeOf('query A { me { id } } query B { a: me { id } b: me { id } }').map((shape) => shape.aliases)).toEqual([0, 2]);
  });
});

describe('refusals', () => {
  const refusalOf = (text: string) => {
    const refusal = operationLimitRefusal(parse(text), LIMITS);
    return refusal ? { message: refusal().message, extensions: refusal().extensions } : null;
  };

  test('within every limit: none', () => {
    expect(refusalOf('{ a: me { id } b: me { id } }')).toBeNull();
  });

  test.each([
    ['{ me { teams { edges { node { members { edges { id } } } } } } }', 'OPERATION_TOO_DEEP', 'the operation nests fields 7 levels deep; the limit is 5'],
    ['{ me { a: id b: id c: id d: id } }', 'TOO_MANY_ALIASES', 'the operation has 4 aliases; the limit is 3'],
    ['{ me { id } me { name } me { email } }', 'TOO_MANY_ROOT_FIELDS', 'the operation has 3 root fields; the limit is 2'],
    ['{ me @skip(if: false) @include(if: true) { id } }', 'TOO_MANY_DIRECTIVES', 'a field of the operation has 2 directives; the limit is 1'],
  ])('%s: %s', (text, code, message) => {
    expect(refusalOf(text)).toEqual({ message, extensions: { code, limit: expect.any(Number), found: expect.any(Number), http: expect.anything() } });
  });

  test('a refusal is a 400', () => {
    expect(operationLimitRefusal(parse('{ a: me { a: id b: id c: id } }'), LIMITS)!().extensions.http).toMatchObject({ status: 400 });
  });
});
