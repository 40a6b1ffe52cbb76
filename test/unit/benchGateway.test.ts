import { execute, parse } from 'graphql';
import { firstDifference } from '../../scripts/bench/gateway/sameAnswer';
import { parseWrk } from '../../scripts/bench/gateway/wrk';
import { STANDARD_QUERY } from '../../scripts/bench/gateway/standard/query';
import { standardReferenceData } from '../../scripts/bench/gateway/standard/referenceAnswer';
import { standardSubgraphSchema } from '../../scripts/bench/gateway/standard/subgraphs';

/** The parts of `npm run bench:gateway` that decide what is counted, without running any load. */
const WRK_OUTPUT = `Running 10s test @ http://127.0.0.1:4000/graphql
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.40ms    3.10ms  61.00ms   90.00%
    Req/Sec     2.34k   100.00     2.50k    70.00%
  Latency Distribution
     50%  850.00us
     75%   22.00ms
     90%   25.00ms
     99%    1.20s
  23456 requests in 10.00s, 2.00GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   2345.60
Transfer/sec:    204.80MB
bench-errors 4
bench-sent 23500
bench-first-error 401 {"errors":[{"message":"the access token is not valid"}]}
`;

test("wrk's report gives requests, the sent count, percentiles in ms whatever their unit, and every kind of error", () => {
  expect(parseWrk(WRK_OUTPUT)).toEqual({
    requests: 23456,
    sent: 23500,
    seconds: 10,
    requestsPerSecond: 2345.6,
    p50Ms: 0.85,
    p99Ms: 1200,
    errors: 4 + 3,
    firstError: '401 {"errors":[{"message":"the access token is not valid"}]}',
  });
});

test('a report without totals is refused rather than read as zero', () => {
  expect(() => parseWrk('unable to connect to 127.0.0.1:4000 Connection refused')).toThrow(/could not read wrk's report/);
});

test('answers are compared as JSON data, key order aside, and the first difference is named by its path', () => {
  expect(firstDifference({ a: 1, b: [{ c: 'x' }] }, { b: [{ c: 'x' }], a: 1 })).toBeNull();
  expect(firstDifference({ users: [{ id: '1', name: 'A' }] }, { users: [{ id: '1', name: 'B' }] })).toBe('users.0.name: "A" instead of "B"');
  expect(firstDifference({ users: [] }, { users: [{ id: '1' }] })).toMatch(/^users\.0: undefined instead of/);
});

test('each standard subgraph answers its part of the data, and the reference answer has the depth of the heavy query', async () => {
  const reviews = await execute({
    schema: standardSubgraphSchema('reviews'),
    document: parse(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviews { id author { id username } } } } }`),
    variableValues: { r: [{ __typename: 'Product', upc: '3' }] },
  });
  expect(reviews.errors).toBeUndefined();
  expect(reviews.data).toEqual({ _entities: [{ reviews: [{ id: '9', author: { id: '3', username: 'amarao' } }] }] });
  const inventory = await execute({
    schema: standardSubgraphSchema('inventory'),
    document: parse(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { inStock shippingEstimate } } }`),
    variableValues: { r: [{ __typename: 'Product', upc: '1', price: 899, weight: 100 }, { __typename: 'Product', upc: '2', price: 1299, weight: 1000 }] },
  });
  expect(inventory.data).toEqual({ _entities: [{ inStock: true, shippingEstimate: 50 }, { inStock: false, shippingEstimate: 0 }] });

  const reference = (await standardReferenceData()) as { users: any[]; topProducts: any[] };
  expect(STANDARD_QUERY).toContain('shippingEstimate');
  expect(reference.users).toHaveLength(6);
  expect(reference.topProducts).toHaveLength(5);
  const deepest = reference.users[0].reviews[0].product.reviews[0].author.reviews[0].product;
  expect(deepest).toEqual(expect.objectContaining({ upc: expect.any(String), inStock: expect.any(Boolean), shippingEstimate: expect.any(Number) }));
});
