import { gatewayConfigFromEnv } from '../../gateway/config';
import { generateSigningSecret } from '../../lib/auth/RequestSigner';
import { supergraphSource } from '../../gateway/server';
import { generateSigningKeys } from '../../lib/auth/accessTokens';

const JWT_PUBLIC_KEY = generateSigningKeys().publicKey;
const INTERNAL_SIGNING_SECRET = generateSigningSecret();

describe('where the gateway gets its supergraph', () => {
  test('without Apollo settings, from the supergraph file', () => {
    expect(supergraphSource({ apollo: null })).toBe('file');
    expect(supergraphSource(gatewayConfigFromEnv({ JWT_PUBLIC_KEY, INTERNAL_SIGNING_SECRET }))).toBe('file');
  });

  test('an Apollo key without a graph ref is refused at start, naming the missing variable', () => {
    expect(() => gatewayConfigFromEnv({ JWT_PUBLIC_KEY, INTERNAL_SIGNING_SECRET, APOLLO_KEY: 'service:schemaflow:abc' })).toThrow(/APOLLO_GRAPH_REF/);
  });

  test('an Apollo key and graph ref together: managed federation through Apollo Uplink', () => {
    expect(supergraphSource({ apollo: { key: 'service:schemaflow:abc', graphRef: 'schemaflow@prod', managed: true } })).toBe('managed');
    expect(supergraphSource(gatewayConfigFromEnv({ JWT_PUBLIC_KEY, INTERNAL_SIGNING_SECRET, APOLLO_KEY: 'service:schemaflow:abc', APOLLO_GRAPH_REF: 'schemaflow@prod' }))).toBe('managed');
  });

  test('reporting to Apollo Studio while serving the file: APOLLO_MANAGED_FEDERATION=false', () => {
    const config = gatewayConfigFromEnv({ JWT_PUBLIC_KEY, INTERNAL_SIGNING_SECRET, APOLLO_KEY: 'service:schemaflow:abc', APOLLO_GRAPH_REF: 'schemaflow@prod', APOLLO_MANAGED_FEDERATION: 'false' });
    expect(supergraphSource(config)).toBe('file');
    expect(config.apollo).toEqual({ key: 'service:schemaflow:abc', graphRef: 'schemaflow@prod', managed: false });
  });
});

describe('where the gateway calls each subgraph', () => {
  test('only the subgraphs given a *_SUBGRAPH_URL are pinned; the others follow the supergraph', () => {
    const config = gatewayConfigFromEnv({ JWT_PUBLIC_KEY, INTERNAL_SIGNING_SECRET, PAYMENTS_SUBGRAPH_URL: 'http://payments:4004/graphql' });
    expect(config.subgraphUrls.payments).toBe('http://payments:4004/graphql');
    expect(config.subgraphUrls.users).toBeUndefined();
    expect(config.subgraphUrls.profiles).toBeUndefined();
  });
});
