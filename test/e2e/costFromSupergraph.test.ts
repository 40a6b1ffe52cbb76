import { startGatewayHarness, type GatewayHarness } from '../support/guardsHarness';

/**
 * The gateway estimates cost from the `@cost` / `@listSize` of the supergraph it serves: a
 * subgraph team that changes them changes what an operation costs with the next supergraph,
 * without a gateway release or restart.
 */
let gateway: GatewayHarness;
beforeAll(async () => {
  gateway = await startGatewayHarness({ MAX_COST_ANONYMOUS: '100' });
});
afterAll(() => gateway?.stop());

const ITEMS = { query: '{ items(first: 50) { id } }' };

test('a new @cost in the supergraph served makes the same operation too costly', async () => {
  // 50 items of weight 1.
  expect((await gateway.post(ITEMS)).body.data.items).toHaveLength(50);
  gateway.publishSupergraph((typeDefs) => typeDefs.replace('@listSize(slicingArguments: ["first"])', '@listSize(slicingArguments: ["first"]) @cost(weight: 5)'));
  const deadline = Date.now() + 15_000;
  let response = await gateway.post(ITEMS);
  while (response.status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    response = await gateway.post(ITEMS);
  }
  expect(response.status).toBe(400);
  expect(response.body.errors[0]).toEqual({
    message: "the operation's estimated cost is 250; the limit for callers without a credential is 100",
    extensions: { code: 'OPERATION_TOO_COSTLY', cost: 250, limit: 100 },
  });
  // Within the budget it still runs.
  expect((await gateway.post({ query: '{ items(first: 20) { id } }' })).body.data.items).toHaveLength(20);
});
