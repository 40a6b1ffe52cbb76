import { guardsConfigFromEnv } from '../../gateway/guards/guardsConfig';
import { tooManyTokens } from '../../gateway/guards/tooManyTokens';

describe("the guards' configuration", () => {
  test('defaults', () => {
    expect(guardsConfigFromEnv({})).toEqual({
      limits: { maxTokens: 5000, maxDepth: 20, maxAliases: 30, maxRootFields: 20, maxDirectivesPerField: 5, maxVariableDepth: 100 },
      cost: { budgets: { anonymous: 1000, user: 5000, team: 5000 }, defaultListSize: 20, maxListSize: 100 },
      rateLimits: { points: { anonymous: 600, user: 1200, team: 1200 }, windowSeconds: 60, redisUrl: null },
      persistedOperations: { apq: true, safelistFile: null },
    });
  });

  test('a safelist turns APQ off (registering by hash would add to the safelist)', () => {
    expect(guardsConfigFromEnv({ SAFELIST_FILE: '/etc/safelist.json' }).persistedOperations).toEqual({ apq: false, safelistFile: '/etc/safelist.json' });
  });

  test.each([['MAX_DEPTH', '0'], ['MAX_ALIASES', '-1'], ['MAX_COST', '2.5'], ['RATE_LIMIT_USER', 'many'], ['REDIS_URL', 'not a url']])('%s=%s is refused, naming the variable', (name, value) => {
    expect(() => guardsConfigFromEnv({ [name]: value })).toThrow(name);
  });
});

describe('the token limit', () => {
  test("the parser's refusal gets the limit's own code and a message naming it", () => {
    expect(tooManyTokens({ message: 'Syntax Error: Document contains more that 5000 tokens. Parsing aborted.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } })).toEqual({
      message: 'the document has more than 5000 tokens; the limit is 5000',
      extensions: { code: 'TOO_MANY_TOKENS', limit: 5000 },
    });
  });

  test('other syntax errors stay as they are', () => {
    const error = { message: 'Syntax Error: Unexpected Name "x".', extensions: { code: 'GRAPHQL_PARSE_FAILED' } };
    expect(tooManyTokens(error)).toBe(error);
  });
});
