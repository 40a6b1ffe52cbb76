import { gatewayConfigFromEnv } from '../../gateway/config';
import { generateSigningKeys } from '../../lib/auth/accessTokens';
import { generateSigningSecret } from '../../lib/auth/RequestSigner';

const base = { JWT_PUBLIC_KEY: generateSigningKeys().publicKey, INTERNAL_SIGNING_SECRET: generateSigningSecret() };

test('GATEWAY_EXECUTOR: fast by default; apollo and differential on request; anything else refused by name', () => {
  expect(gatewayConfigFromEnv(base).executor).toBe('fast');
  expect(gatewayConfigFromEnv({ ...base, GATEWAY_EXECUTOR: 'apollo' }).executor).toBe('apollo');
  expect(gatewayConfigFromEnv({ ...base, GATEWAY_EXECUTOR: 'differential' }).executor).toBe('differential');
  expect(() => gatewayConfigFromEnv({ ...base, GATEWAY_EXECUTOR: 'turbo' })).toThrow(/GATEWAY_EXECUTOR/);
});

test('GATEWAY_FETCH_BATCHING: levels by default; ready and off on request; anything else refused by name', () => {
  expect(gatewayConfigFromEnv(base).fetchBatching).toBe('levels');
  expect(gatewayConfigFromEnv({ ...base, GATEWAY_FETCH_BATCHING: 'ready' }).fetchBatching).toBe('ready');
  expect(gatewayConfigFromEnv({ ...base, GATEWAY_FETCH_BATCHING: 'off' }).fetchBatching).toBe('off');
  expect(() => gatewayConfigFromEnv({ ...base, GATEWAY_FETCH_BATCHING: 'always' })).toThrow(/GATEWAY_FETCH_BATCHING/);
});

test('HEAP_GROWTH_PERCENT: 50 by default, 0 for V8 its own choice; a fraction, a negative or above 300 refused by name', () => {
  expect(gatewayConfigFromEnv(base).heapGrowthPercent).toBe(50);
  expect(gatewayConfigFromEnv({ ...base, HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
  expect(gatewayConfigFromEnv({ ...base, HEAP_GROWTH_PERCENT: '120' }).heapGrowthPercent).toBe(120);
  for (const bad of ['1.5', '-1', '301', 'lots']) expect(() => gatewayConfigFromEnv({ ...base, HEAP_GROWTH_PERCENT: bad })).toThrow(/HEAP_GROWTH_PERCENT.*0 to 300/);
});
