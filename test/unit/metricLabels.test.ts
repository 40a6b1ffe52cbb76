import { BoundedLabels } from '../../gateway/metrics/BoundedLabels';
import { Safelist } from '../../gateway/guards/Safelist';
import { parseExposition } from '../support/scrape';
import { Metrics } from '../../lib/metrics/Metrics';

describe('operation names as labels stay a bounded set', () => {
  test('the first N distinct names pass and keep passing; every later one is "other"', () => {
    const labels = new BoundedLabels(new Set(), 2);
    expect(labels.label('Dashboard')).toBe('Dashboard');
    expect(labels.label('Users')).toBe('Users');
    expect(labels.label('Attack1')).toBe('other');
    expect(labels.label('Dashboard')).toBe('Dashboard');
    for (let i = 0; i < 1000; i++) expect(labels.label(`Attack${i}`)).toBe('other');
  });

  test("in safelist mode only the safelist's operation names pass", () => {
    const safelist = Safelist.fromManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [
        { id: 'a', name: 'Dashboard', type: 'query', body: 'query Dashboard { me { id } }' },
        { id: 'b', name: 'Rename', type: 'mutation', body: 'mutation Rename { rename { id } }' },
        { id: 'c', name: '', type: 'query', body: '{ anonymous }' },
      ],
    });
    expect([...safelist.operationNames()].sort()).toEqual(['Dashboard', 'Rename']);
    const labels = new BoundedLabels(new Set(), 100);
    labels.label('SeenBefore');
    labels.restrictTo(safelist.operationNames());
    expect(labels.label('Dashboard')).toBe('Dashboard');
    expect(labels.label('SeenBefore')).toBe('other');
    expect(labels.label('Unknown')).toBe('other');
  });
});

describe('one registry per process', () => {
  test('two registries keep their own counts, and a family asked for twice is the same one', async () => {
    const a = new Metrics();
    const b = new Metrics();
    const counter = a.counter({ name: 'schemaflow_test_total', help: 'test', labelNames: ['x'] });
    expect(a.counter({ name: 'schemaflow_test_total', help: 'test', labelNames: ['x'] })).toBe(counter);
    counter.inc({ x: '1' }, 2);
    b.counter({ name: 'schemaflow_test_total', help: 'test', labelNames: ['x'] }).inc({ x: '1' });
    const value = async (metrics: Metrics) => parseExposition((await metrics.exposition()).body).find((sample) => sample.name === 'schemaflow_test_total')?.value;
    expect(await value(a)).toBe(2);
    expect(await value(b)).toBe(1);
    expect((await a.exposition()).body).toContain('process_start_time_seconds');
  });
});
