import { startGatewayHarness, type GatewayHarness } from '../support/gatewayHarness';

/**
 * In production the gateway's errors do not suggest field names ("Did you mean ...?"): with
 * introspection off, the schema is not to be guessed from error messages either.
 */
const gateways: GatewayHarness[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
});

async function misspelt(env: Record<string, string>): Promise<{ status: number; message: string; code: string }> {
  const gateway = await startGatewayHarness(env);
  gateways.push(gateway);
  const response = await gateway.post({ query: '{ helo }' });
  return { status: response.status, message: response.body.errors[0].message, code: response.body.errors[0].extensions.code };
}

test('NODE_ENV=production: a misspelt field is refused without a suggestion', async () => {
  expect(await misspelt({ NODE_ENV: 'production' })).toEqual({ status: 400, message: 'Cannot query field "helo" on type "Query".', code: 'GRAPHQL_VALIDATION_FAILED' });
});

test('outside production the suggestion helps the developer', async () => {
  expect((await misspelt({})).message).toBe('Cannot query field "helo" on type "Query". Did you mean "hello"?');
});
