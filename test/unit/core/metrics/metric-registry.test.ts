// The metric registry writes text a Prometheus scraper accepts: escaped labels and help, cumulative
// histogram buckets, names checked at registration, and a bounded number of series.
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../../../shared/core/metrics/exposition.ts';
import { MAX_SERIES_PER_FAMILY, MetricRegistry } from '../../../../shared/core/metrics/metric-registry.ts';
import { parseExposition } from '../../../support/prometheus-text.ts';

describe('MetricRegistry', () => {
  it('writes counters and gauges a strict reader parses back', () => {
    const r = new MetricRegistry();
    const c = r.counter('jobs_total', 'Jobs.\nSecond line with a \\ backslash.', ['name']);
    c.inc({ name: 'a"b\\c\nd' });
    c.inc({ name: 'a"b\\c\nd' }, 2);
    r.gauge('temperature', 'Temperature.').set({}, -1.5);
    const families = parseExposition(r.exposition());
    expect(families.get('jobs_total')?.help).toBe('Jobs.\nSecond line with a \\ backslash.');
    expect(families.get('jobs_total')?.samples).toEqual([
      { name: 'jobs_total', labels: { name: 'a"b\\c\nd' }, value: 3 },
    ]);
    expect(families.get('temperature')?.samples[0]?.value).toBe(-1.5);
  });

  it('writes histogram buckets cumulatively, with +Inf, _sum and _count', () => {
    const r = new MetricRegistry();
    const h = r.histogram('wait_seconds', 'Waits.', ['pass'], [1, 5]);
    for (const v of [0.5, 3, 3, 100]) h.observe({ pass: 'full' }, v);
    const samples = parseExposition(r.exposition()).get('wait_seconds')?.samples ?? [];
    expect(samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['wait_seconds_bucket', '1', 1],
      ['wait_seconds_bucket', '5', 3],
      ['wait_seconds_bucket', '+Inf', 4],
      ['wait_seconds_sum', undefined, 106.5],
      ['wait_seconds_count', undefined, 4],
    ]);
  });

  it.each([
    ['a metric name with a dash', () => new MetricRegistry().counter('bad-name', 'x')],
    ['a reserved label name', () => new MetricRegistry().counter('ok_total', 'x', ['__name'])],
    ['le on a histogram', () => new MetricRegistry().histogram('h', 'x', ['le'], [1])],
    ['buckets that do not ascend', () => new MetricRegistry().histogram('h', 'x', [], [2, 1])],
    ['a counter that goes down', () => new MetricRegistry().counter('c_total', 'x').inc({}, -1)],
  ])('refuses %s', (_, act) => {
    expect(act).toThrow(RangeError);
  });

  it('refuses the same family twice', () => {
    const r = new MetricRegistry();
    r.gauge('g', 'x');
    expect(() => r.gauge('g', 'x')).toThrow(RangeError);
  });

  it('forgets the series of a label set, keeping the others', () => {
    const r = new MetricRegistry();
    const c = r.counter('n_total', 'x', ['name', 'reason']);
    c.inc({ name: 'gone', reason: 'a' });
    c.inc({ name: 'gone', reason: 'b' });
    c.inc({ name: 'kept', reason: 'a' });
    r.forget({ name: 'gone' });
    expect(
      parseExposition(r.exposition())
        .get('n_total')
        ?.samples.map((s) => s.labels.name),
    ).toEqual(['kept']);
  });

  it('keeps at most MAX_SERIES_PER_FAMILY series per family', () => {
    const r = new MetricRegistry();
    const c = r.counter('many_total', 'x', ['id']);
    for (let i = 0; i < MAX_SERIES_PER_FAMILY + 10; i++) c.inc({ id: String(i) });
    expect(parseExposition(r.exposition()).get('many_total')?.samples).toHaveLength(MAX_SERIES_PER_FAMILY);
  });

  it.each([
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
    [0.25, '0.25'],
    [1e21, '1e+21'],
  ])('formats %s as %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});
