import { Safelist } from '../../gateway/guards/Safelist';

describe('safelist manifests', () => {
  test("Apollo's persisted-query manifest", () => {
    const safelist = Safelist.fromManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: 'abc', name: 'Me', type: 'query', body: 'query Me { me { id } }' }],
    });
    expect(safelist.size).toBe(1);
    expect(safelist.body('abc')).toBe('query Me { me { id } }');
    expect(safelist.has('query Me { me { id } }')).toBe(true);
    expect(safelist.has('query Me { me { name } }')).toBe(false);
    expect(safelist.body('nope')).toBeUndefined();
  });

  test("Relay's id → text map", () => {
    const safelist = Safelist.fromManifest({ '1f2e': 'query A { me { id } }', '3d4c': 'query B { me { name } }' });
    expect(safelist.size).toBe(2);
    expect(safelist.body('3d4c')).toBe('query B { me { name } }');
  });

  test.each([
    [{ format: 'apollo-persisted-query-manifest', version: 2, operations: [] }, 'not an apollo-persisted-query-manifest of version 1'],
    [{ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'a' }] }, 'operations[0] needs a string id and body'],
    [{ a: 1 }, 'the entry "a" is not a query text'],
    [[], 'neither an Apollo persisted-query manifest nor a Relay'],
    [{}, 'lists no operations'],
  ])('a malformed manifest is refused with what is wrong (%#)', (manifest, problem) => {
    expect(() => Safelist.fromManifest(manifest)).toThrow(problem);
  });
});
