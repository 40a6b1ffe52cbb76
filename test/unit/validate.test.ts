import { GraphQLError } from 'graphql';
import { refusal } from '../support/refusal';
import { isId, newId, optionalText, requireEmail, requireId, requireJson, requireOneOf, requireText } from '../../lib/validate';


describe('requireId', () => {
  it('accepts a UUID and returns it lower-cased', () => {
    expect(requireId('0E8A3F3C-9B1D-4C6E-A0F4-2B7C9D1E5A6F', 'id')).toBe('0e8a3f3c-9b1d-4c6e-a0f4-2b7c9d1e5a6f');
    expect(requireId('0e8a3f3c-9b1d-4c6e-a0f4-2b7c9d1e5a6f', 'id')).toBe('0e8a3f3c-9b1d-4c6e-a0f4-2b7c9d1e5a6f');
  });

  it('accepts what newId makes', () => {
    const id = newId();
    expect(isId(id)).toBe(true);
    expect(requireId(id, 'id')).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too short', '0e8a3f3c-9b1d-4c6e-a0f4-2b7c9d1e5a6'],
    ['not hex', 'zzzzzzzz-9b1d-4c6e-a0f4-2b7c9d1e5a6f'],
    ['no dashes', '0e8a3f3c9b1d4c6ea0f42b7c9d1e5a6f'],
    ['braces', '{0e8a3f3c-9b1d-4c6e-a0f4-2b7c9d1e5a6f}'],
    ['padded', ' 0e8a3f3c-9b1d-4c6e-a0f4-2b7c9d1e5a6f'],
    ['an ObjectId', '507f1f77bcf86cd799439011'],
    ['SQL', "1' OR '1'='1"],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s, naming the field', (_name, value) => {
    const error = refusal(() => requireId(value, 'input.projectId'), 'input.projectId');
    expect(error.message).toBe('input.projectId: is not a valid id');
  });
});

describe('requireText', () => {
  it('trims', () => {
    expect(requireText('  Alice  ', 'name', { max: 10 })).toBe('Alice');
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['only whitespace', '\n\t '],
  ])('refuses %s as empty', (_name, value) => {
    const error = refusal(() => requireText(value, 'input.name', { max: 10 }), 'input.name');
    expect(error.message).toContain('must not be empty');
  });

  it('counts length after trimming: max is inclusive', () => {
    expect(requireText(`  ${'a'.repeat(10)}  `, 'name', { max: 10 })).toBe('a'.repeat(10));
    const error = refusal(() => requireText('a'.repeat(11), 'name', { max: 10 }), 'name');
    expect(error.message).toContain('at most 10 characters');
  });

  it('applies a minimum above 1', () => {
    expect(requireText('abc', 'code', { min: 3, max: 5 })).toBe('abc');
    const error = refusal(() => requireText(' ab ', 'code', { min: 3, max: 5 }), 'code');
    expect(error.message).toContain('at least 3 characters');
  });

  it.each([[42], [null], [undefined], [['a']]])('refuses a non-string (%j)', (value) => {
    refusal(() => requireText(value, 'name', { max: 10 }), 'name');
  });

  it('optionalText: undefined stays unchanged, null clears, and blank text clears too', () => {
    expect(optionalText(undefined, 'bio', { max: 5 })).toBeUndefined();
    expect(optionalText(null, 'bio', { max: 5 })).toBeNull();
    expect(optionalText('  ', 'bio', { max: 5 })).toBeNull();
    refusal(() => optionalText('123456', 'bio', { max: 5 }), 'bio');
  });
});

describe('requireEmail', () => {
  it('trims and lower-cases', () => {
    expect(requireEmail('  Alice@Example.COM ', 'input.email')).toBe('alice@example.com');
  });

  it.each([
    ['no at', 'alice.example.com'],
    ['no domain dot', 'alice@example'],
    ['two ats', 'a@b@example.com'],
    ['inner space', 'ali ce@example.com'],
    ['empty', ''],
    ['a number', 5],
  ])('refuses %s', (_name, value) => {
    refusal(() => requireEmail(value, 'input.email'), 'input.email');
  });

  it('refuses more than 254 characters', () => {
    const long = `${'a'.repeat(243)}@example.com`; // 255
    expect(long).toHaveLength(255);
    refusal(() => requireEmail(long, 'input.email'), 'input.email');
    expect(requireEmail(long.slice(1), 'input.email')).toHaveLength(254);
  });
});

describe('requireOneOf', () => {
  const ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;

  it('accepts an allowed value', () => {
    expect(requireOneOf('ADMIN', 'input.role', ROLES)).toBe('ADMIN');
  });

  it.each([['admin'], ['GUEST'], [''], [null], [1]])('refuses %j, listing the allowed values', (value) => {
    const error = refusal(() => requireOneOf(value, 'input.role', ROLES), 'input.role');
    expect(error.message).toContain('OWNER, ADMIN, MEMBER');
  });
});

describe('requireJson', () => {
  it('returns the value unchanged when within the bounds', () => {
    const document = { types: [{ name: 'User', fields: ['id'] }] };
    expect(requireJson(document, 'input.document', { maxBytes: 1000 })).toBe(document);
  });

  it('is bounded in UTF-8 bytes of the serialized JSON, inclusive', () => {
    const fits = 'x'.repeat(8); // "xxxxxxxx" is 10 bytes with its quotes
    expect(requireJson(fits, 'doc', { maxBytes: 10 })).toBe(fits);
    const error = refusal(() => requireJson(`${fits}x`, 'doc', { maxBytes: 10 }), 'doc');
    expect(error.message).toContain('at most 10 bytes');
    // Multi-byte characters count by their bytes: "éééé" is 2 + 4 * 2 = 10 bytes, 6 characters.
    expect(requireJson('éééé', 'doc', { maxBytes: 10 })).toBe('éééé');
    refusal(() => requireJson('ééééé', 'doc', { maxBytes: 10 }), 'doc');
  });

  it('refuses a missing value', () => {
    expect(refusal(() => requireJson(undefined, 'input.document', { maxBytes: 10 }), 'input.document').message).toContain('is required');
    refusal(() => requireJson(null, 'input.document', { maxBytes: 10 }), 'input.document');
  });

  it('refuses deep nesting that is small in bytes', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 3000; i++) deep = [deep];
    expect(refusal(() => requireJson(deep, 'doc', { maxBytes: 1_000_000 }), 'doc').message).toContain('nested at most');
  });

  it('refuses NUL characters and lone surrogates in keys and values', () => {
    refusal(() => requireJson({ a: 'x\u0000y' }, 'doc', { maxBytes: 100 }), 'doc');
    refusal(() => requireJson({ 'k\u0000': 1 }, 'doc', { maxBytes: 100 }), 'doc');
    refusal(() => requireJson(['\ud800'], 'doc', { maxBytes: 100 }), 'doc');
    expect(requireJson(['😀'], 'doc', { maxBytes: 100 })).toEqual(['😀']);
  });

  it('insists on an object when asked to', () => {
    expect(refusal(() => requireJson([1], 'input.metadata', { maxBytes: 100, object: true }), 'input.metadata').message).toContain('JSON object');
  });
});

describe('unstorable text', () => {
  it.each([['NUL', 'a\u0000b'], ['lone high surrogate', 'a\ud800b'], ['lone low surrogate', '\udc00']])('refuses %s', (_name, value) => {
    refusal(() => requireText(value, 'input.name', { max: 100 }), 'input.name');
  });

  it('accepts paired surrogates (emoji)', () => {
    expect(requireText('ok 😀', 'input.name', { max: 100 })).toBe('ok 😀');
  });

  it('optionalText turns blank into null (a cleared field) unless a minimum is set', () => {
    expect(optionalText('   ', 'input.bio', { max: 10 })).toBeNull();
    refusal(() => optionalText('', 'input.key', { min: 1, max: 10 }), 'input.key');
  });
});
