import { startGatewayHarness, type GatewayHarness } from '../support/guardsHarness';

/**
 * In production the gateway's errors do not suggest field names ("Did you mean ...?"): with
 * introspection off, the schema is not to be guessed from error messages either.
 */
const gateways: GatewayHarness[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
});

async function misspelt(env: Record<string, string>) {
  const gateway = await startGatewayHarness(env);
  gateways.push(gateway);
  const first = (response: { status: number; body: any }) => ({ status: response.status, message: response.body.errors[0].message, code: response.body.errors[0].extensions.code });
  return {
    field: first(await gateway.post({ query: '{ helo }' })),
    enumValue: first(await gateway.post({ query: 'query($tone: Tone) { hello(tone: $tone) }', variables: { tone: 'LOUDD' } })),
  };
}

test('NODE_ENV=production: a misspelt field or enum value is refused without a suggestion', async () => {
  expect(await misspelt({ NODE_ENV: 'production' })).toEqual({
    field: { status: 400, message: 'Cannot query field "helo" on type "Query".', code: 'GRAPHQL_VALIDATION_FAILED' },
    enumValue: { status: 400, message: 'Variable "$tone" got invalid value "LOUDD"; Value "LOUDD" does not exist in "Tone" enum.', code: 'BAD_USER_INPUT' },
  });
});

test('outside production the suggestions help the developer', async () => {
  const { field, enumValue } = await misspelt({});
  expect(field.message).toBe('Cannot query field "helo" on type "Query". Did you mean "hello"?');
  expect(enumValue.message).toBe('Variable "$tone" got invalid value "LOUDD"; Value "LOUDD" does not exist in "Tone" enum. Did you mean the enum value "LOUD"?');
});
