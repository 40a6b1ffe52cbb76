import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayHarness, type GatewayHarness } from '../support/guardsHarness';

/**
 * Persisted operations through the real gateway: APQ by default (hash first, text once), and the
 * safelist mode in which only the operations of a manifest (Apollo's or Relay's format) run.
 */
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HELLO = 'query Hello { hello }';
const ITEMS = 'query Items { items(first: 2) { id } }';
const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'safelist-test-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function manifestFile(name: string, manifest: unknown): string {
  const file = join(directory, name);
  writeFileSync(file, JSON.stringify(manifest));
  return file;
}

describe('automatic persisted queries (the default)', () => {
  let gateway: GatewayHarness;
  beforeAll(async () => {
    gateway = await startGatewayHarness();
  });
  afterAll(() => gateway?.stop());

  test('a hash the gateway does not know yet is PERSISTED_QUERY_NOT_FOUND; sent once with its text, the hash alone runs it', async () => {
    const text = `query Apq { hello }`;
    const unknown = await gateway.post({ extensions: apq(sha256(text)) });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await gateway.post({ query: text, extensions: apq(sha256(text)) })).body).toEqual({ data: { hello: 'hello' } });
    expect((await gateway.post({ extensions: apq(sha256(text)) })).body).toEqual({ data: { hello: 'hello' } });
  });

  test('a text that does not match its hash is refused', async () => {
    const response = await gateway.post({ query: HELLO, extensions: apq(sha256('something else')) });
    expect(response.status).toBe(400);
  });
});

describe('safelist mode', () => {
  const gateways: GatewayHarness[] = [];
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
  });
  const start = async (file: string) => {
    const gateway = await startGatewayHarness({ SAFELIST_FILE: file });
    gateways.push(gateway);
    return gateway;
  };

  function expectNotInSafelist(response: { status: number; body: any }) {
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_IN_SAFELIST' });
    expect(response.body.data).toBeUndefined();
  }

  test("with Apollo's manifest: operations run by their id, anything else is refused before it runs", async () => {
    const gateway = await start(
      manifestFile('apollo.json', {
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [
          { id: sha256(HELLO), name: 'Hello', type: 'query', body: HELLO },
          { id: sha256(ITEMS), name: 'Items', type: 'query', body: ITEMS },
        ],
      }),
    );
    expect((await gateway.post({ extensions: apq(sha256(HELLO)) })).body).toEqual({ data: { hello: 'hello' } });
    expect((await gateway.post({ extensions: apq(sha256(ITEMS)) })).body).toEqual({ data: { items: [{ id: '0' }, { id: '1' }] } });
    // A registered text sent as it is runs too: it is one of the registered operations.
    expect((await gateway.post({ query: HELLO })).body).toEqual({ data: { hello: 'hello' } });

    const calls = gateway.subgraphCalls();
    expectNotInSafelist(await gateway.post({ query: '{ hello }' }));
    expectNotInSafelist(await gateway.post({ query: 'query Items { items(first: 100) { id } }' }));
    expectNotInSafelist(await gateway.post({ extensions: apq(sha256('{ items { id } }')) }));
    expectNotInSafelist(await gateway.post({ query: '{ hello }', extensions: apq(sha256(HELLO)) }));
    // Registering by APQ is not possible either.
    expectNotInSafelist(await gateway.post({ query: '{ items { id } }', extensions: apq(sha256('{ items { id } }')) }));
    expectNotInSafelist(await gateway.post({ extensions: apq(sha256('{ items { id } }')) }));
    expect(gateway.subgraphCalls()).toBe(calls);
  });

  test("with Relay's map: operations run by their doc_id or documentId", async () => {
    const gateway = await start(manifestFile('relay.json', { a1b2c3: HELLO, d4e5f6: ITEMS }));
    expect((await gateway.post({ doc_id: 'a1b2c3' })).body).toEqual({ data: { hello: 'hello' } });
    expect((await gateway.post({ documentId: 'd4e5f6', variables: {} })).body).toEqual({ data: { items: [{ id: '0' }, { id: '1' }] } });
    expectNotInSafelist(await gateway.post({ doc_id: 'nope' }));
    expectNotInSafelist(await gateway.post({ query: '{ items(first: 100) { id } }' }));
  });

  test('a manifest that is neither format stops the gateway at start, naming the file', async () => {
    const file = manifestFile('broken.json', { format: 'something-else', operations: [] });
    await expect(startGatewayHarness({ SAFELIST_FILE: file })).rejects.toThrow(`SAFELIST_FILE ${file}`);
  });
});
