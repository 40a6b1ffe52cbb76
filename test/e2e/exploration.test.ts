import { createHash } from 'node:crypto';
import net from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { gatewayConfigFromEnv, type GatewayConfig } from '../../gateway/config';
import { explorationPlugins } from '../../gateway/exploration';
import { startGateway as startGatewayServer } from '../../gateway/server';
import type { RunningServer } from '../../lib/httpServer';
import { createLogger } from '../../lib/logger';
import { expectNoErrors } from '../support/fixtures';
import { graphqlPost, startStack, testEngines, type Stack } from '../support/stack';

/**
 * Exploring the graph: outside production the landing page is Apollo Sandbox, introspection is
 * allowed and GraphiQL is served offline at /explorer; in production all of that is off unless
 * INTROSPECTION / EXPLORER turn it on; without APOLLO_KEY the gateway contacts nobody.
 *
 * One stack (subgraphs and databases); each mode is a gateway of its own in front of it, built
 * and served exactly as gateway/main.ts does.
 */
let stack: Stack;
const gateways: RunningServer[] = [];

async function startGateway(env: Record<string, string>): Promise<{ url: string; origin: string; server: RunningServer }> {
  const urls = Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, url]));
  const config = gatewayConfigFromEnv({ ...urls, JWT_PUBLIC_KEY: stack.keys.publicKey, INTERNAL_SIGNING_SECRET: stack.auth.signingSecret, ...env, PORT: '0' });
  const server = await startGatewayServer(config, createLogger('gateway', 'silent'));
  gateways.push(server);
  return { url: server.url, origin: new URL(server.url).origin, server };
}

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await stack?.stop();
});

const INTROSPECTION = `{ __schema { queryType { name } } __type(name: "User") { description fields { name description } } }`;

/** What a browser sends when it opens a URL. */
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Every http(s) or protocol-relative URL the page would load by itself (scripts, styles, images, frames, CSS imports). */
function externalResources(html: string): string[] {
  const attributes = [...html.matchAll(/<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi)].map(
    (match) => match[1]!,
  );
  const css = [...html.matchAll(/(?:@import\s+|url\(\s*)["']?((?:https?:)?\/\/[^"')\s]+)/gi)].map((match) => match[1]!);
  return [...attributes, ...css];
}

describe('outside production', () => {
  test('introspection is allowed, and every type carries its description', async () => {
    const data = expectNoErrors(await stack.query<{ __schema: any; __type: any }>(INTROSPECTION));
    expect(data.__schema.queryType.name).toBe('Query');
    expect(data.__type.description).toEqual(expect.any(String));
    expect(data.__type.fields.length).toBeGreaterThan(0);
  });

  test('a browser opening /graphql gets Apollo Sandbox, and / leads there', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: BROWSER });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('https://embeddable-sandbox.cdn.apollographql.com');
    expect(html).toContain('EmbeddedSandbox');
    // Sandbox's own telemetry is off: only APOLLO_KEY decides what goes to Apollo.
    expect(html).toContain('"runTelemetry":false');

    const root = await fetch(new URL('/', stack.gatewayUrl), { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
  });

  test('/explorer serves GraphiQL that loads nothing from anywhere else', async () => {
    const response = await fetch(new URL('/explorer', stack.gatewayUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('<title>SchemaFlow explorer</title>');
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).toContain('"endpoint":"/graphql"');
    expect(externalResources(html)).toEqual([]);
    // And the browser is told to refuse anything from elsewhere, should GraphiQL ever try.
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
  });

  test('/explorer is served compressed and cacheable: a small page, its bundle as hashed assets kept for a year', async () => {
    const explorer = new URL('/explorer', stack.gatewayUrl);
    // undici's request does not decompress: the sizes are what travels.
    const page = await request(explorer, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('public, max-age=60, must-revalidate');
    expect(page.headers.vary).toBe('Accept-Encoding');
    const etag = String(page.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const html = brotliDecompressSync(Buffer.from(await page.body.arrayBuffer())).toString('utf8');
    expect(html.length).toBeLessThan(500_000); // it was 9 MB with everything inlined
    expect(html).toContain('renderYogaGraphiQL');

    // A revisit with the ETag gets 304 and no body.
    const again = await request(explorer, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect((await again.body.arrayBuffer()).byteLength).toBe(0);

    const assets = [...html.matchAll(/(?:src|href)="(\/explorer\/assets\/graphiql\.([0-9a-f]{16})\.(js|css))"/g)];
    expect(assets.map((match) => match[3]).sort()).toEqual(['css', 'js']);
    let total = 0;
    let sent = 0;
    for (const [, path, hash, extension] of assets) {
      const asset = await request(new URL(path!, stack.gatewayUrl), { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-encoding']).toBe('gzip');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-type']).toMatch(extension === 'js' ? /text\/javascript/ : /text\/css/);
      const compressed = Buffer.from(await asset.body.arrayBuffer());
      const body = gunzipSync(compressed);
      // Named by its content: a new GraphiQL gets a new URL, so the year-long cache is safe.
      expect(createHash('sha256').update(body).digest('hex').slice(0, 16)).toBe(hash);
      total += body.length;
      sent += compressed.length;
    }
    expect(total).toBeGreaterThan(3_000_000);
    expect(sent).toBeLessThan(total / 2);
    // A client that takes no compression gets the bytes as they are; an unknown asset is 404.
    const plain = await request(new URL(assets[0]![1]!, stack.gatewayUrl), { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    await plain.body.dump();
    const missing = await request(new URL('/explorer/assets/graphiql.0000000000000000.js', stack.gatewayUrl));
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  test('the external-resource check does find a CDN script (it is not vacuous)', () => {
    expect(externalResources('<script src="https://cdn.example.com/a.js"></script><link rel="stylesheet" href="//x.example/s.css">')).toEqual([
      'https://cdn.example.com/a.js',
      '//x.example/s.css',
    ]);
    expect(externalResources('<style>@import url("https://fonts.example/f.css");</style>')).toEqual(['https://fonts.example/f.css']);
  });
});

describe('in production', () => {
  test('introspection is refused, and there is no landing page, no explorer and no status page', async () => {
    const { url, origin } = await startGateway({ NODE_ENV: 'production' });

    const refused = await graphqlPost<unknown>(url, INTROSPECTION);
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/introspection is not allowed/i),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    // Ordinary queries still work.
    const admin = { authorization: `Bearer ${stack.adminToken}` };
    expect(expectNoErrors(await graphqlPost<{ users: { edges: unknown[] } }>(url, '{ users { edges { cursor } } }', {}, admin)).users.edges).toHaveLength(1);

    const landing = await fetch(url, { headers: BROWSER });
    expect(landing.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await landing.text()).not.toMatch(/<html|sandbox/i);

    expect((await fetch(`${origin}/explorer`)).status).toBe(404);
    expect((await fetch(`${origin}/`, { redirect: 'manual' })).status).toBe(404);
    // Nor the status page (STATUS_PAGE=true turns it on: test/e2e/statusPage.test.ts); metrics are served.
    expect((await fetch(`${origin}/status`)).status).toBe(404);
    expect((await fetch(`${origin}/status.json`)).status).toBe(404);
    expect((await fetch(`${origin}/metrics`)).status).toBe(200);
  });

  test('INTROSPECTION=true and EXPLORER=true turn them on', async () => {
    const { url, origin } = await startGateway({ NODE_ENV: 'production', INTROSPECTION: 'true', EXPLORER: 'true' });

    expect(expectNoErrors(await graphqlPost<{ __schema: any }>(url, INTROSPECTION)).__schema.queryType.name).toBe('Query');
    const landing = await fetch(url, { headers: BROWSER });
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('EmbeddedSandbox');
    const explorer = await fetch(`${origin}/explorer`);
    expect(explorer.status).toBe(200);
    expect(await explorer.text()).toContain('renderYogaGraphiQL');
  });

  test('either can be turned on alone', async () => {
    const introspectionOnly = await startGateway({ NODE_ENV: 'production', INTROSPECTION: 'true' });
    expectNoErrors(await graphqlPost(introspectionOnly.url, INTROSPECTION));
    expect((await fetch(`${introspectionOnly.origin}/explorer`)).status).toBe(404);

    const explorerOnly = await startGateway({ NODE_ENV: 'production', EXPLORER: 'true' });
    expect((await fetch(`${explorerOnly.origin}/explorer`)).status).toBe(200);
    expect((await graphqlPost(explorerOnly.url, INTROSPECTION)).status).toBe(400);
  });
});

describe('reporting to Apollo Studio', () => {
  /** Hosts the tests' own database engines live on: connections there are the subgraphs', not reports. */
  function engineHosts(): Set<string> {
    const { postgresUrl, mongoUrl } = testEngines();
    const hosts = new Set<string>();
    for (const url of [postgresUrl, mongoUrl]) {
      const authority = url.replace(/^[a-z+]+:\/\//i, '').replace(/^[^@/]*@/, '').split(/[/?]/)[0] ?? '';
      for (const host of authority.split(',')) hosts.add(host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''));
    }
    return hosts;
  }

  /**
   * Records every TCP connection this process opens (http, https, fetch and database drivers all
   * go through net.Socket#connect) to a host that is neither loopback nor a test engine.
   */
  function recordOutgoingConnections(): { hosts: string[]; restore(): void } {
    const allowed = engineHosts();
    const hosts: string[] = [];
    const original = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const first = Array.isArray(args[0]) ? args[0][0] : args[0];
      const host = typeof first === 'object' && first !== null ? (first as net.TcpNetConnectOpts).host : typeof first === 'number' ? args[1] : undefined;
      const path = typeof first === 'object' && first !== null ? (first as net.IpcNetConnectOpts).path : typeof first === 'string' ? first : undefined;
      if (!path) {
        const name = typeof host === 'string' ? host : 'localhost';
        if (!['localhost', '127.0.0.1', '::1'].includes(name) && !allowed.has(name)) hosts.push(name);
      }
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof original;
    return { hosts, restore: () => void (net.Socket.prototype.connect = original) };
  }

  const base = { production: false, introspection: true, explorer: true } as GatewayConfig;
  const pluginIds = (config: GatewayConfig) =>
    explorationPlugins(config).map((plugin) => {
      const internal = plugin as { __internal_plugin_id__?: string; __is_disabled_plugin__?: boolean };
      return internal.__internal_plugin_id__ ? `${internal.__internal_plugin_id__}${internal.__is_disabled_plugin__ ? ':disabled' : ''}` : 'other';
    });

  test('without APOLLO_KEY, usage and schema reporting are explicitly disabled', () => {
    expect(pluginIds({ ...base, apollo: null })).toEqual(expect.arrayContaining(['UsageReporting:disabled', 'SchemaReporting:disabled']));
    expect(pluginIds({ ...base, apollo: null })).not.toContain('UsageReporting');
  });

  test('with APOLLO_KEY and APOLLO_GRAPH_REF, usage reporting is on; a key alone is refused at start', () => {
    expect(pluginIds({ ...base, apollo: { key: 'service:x:y', graphRef: 'schemaflow@current', managed: true } })).toContain('UsageReporting');
    expect(() => gatewayConfigFromEnv({ JWT_PUBLIC_KEY: stack.keys.publicKey, INTERNAL_SIGNING_SECRET: stack.auth.signingSecret, APOLLO_KEY: 'service:x:y' })).toThrow(/APOLLO_GRAPH_REF/);
  });

  test('without APOLLO_KEY, no request leaves the machine while the gateway serves and stops', async () => {
    const recorder = recordOutgoingConnections();
    try {
      // The recorder sees a connection to a non-loopback address (TEST-NET-1, never routed).
      const probe = net.connect({ host: '192.0.2.1', port: 9 });
      probe.on('error', () => undefined);
      probe.destroy();
      expect(recorder.hosts).toEqual(['192.0.2.1']);
      recorder.hosts.length = 0;

      const { url, origin, server } = await startGateway({ NODE_ENV: 'production', INTROSPECTION: 'true', EXPLORER: 'true' });
      expectNoErrors(await graphqlPost(url, '{ users(first: 3) { edges { node { id name } } } }', {}, { authorization: `Bearer ${stack.adminToken}` }));
      expectNoErrors(await graphqlPost(url, INTROSPECTION));
      await graphqlPost(url, '{ user(id: "not-an-id") { name } }');
      await (await fetch(url, { headers: BROWSER })).text();
      await (await fetch(`${origin}/explorer`)).text();
      // Usage reports would be flushed when the server stops.
      await server.stop();
      gateways.splice(gateways.indexOf(server), 1);
    } finally {
      recorder.restore();
    }
    expect(recorder.hosts).toEqual([]);
  });
});
