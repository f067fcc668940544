// A small in-memory metric registry (counters, gauges, histograms with fixed label names) that renders the
// Prometheus text format. Pure: values come from callers, so time and process readings stay in adapters.
import {
  familyHeader,
  isLabelName,
  isMetricName,
  type Labels,
  type MetricType,
  sampleLine,
} from './exposition.ts';

/** Series a family keeps at most: a label value that grows without bound cannot grow memory with it. */
export const MAX_SERIES_PER_FAMILY = 5000;

interface Family {
  name: string;
  help: string;
  type: MetricType;
  labelNames: readonly string[];
  buckets: readonly number[];
  /** label values joined → series */
  series: Map<string, Series>;
}

interface Series {
  labels: Labels;
  value: number;
  /** histograms: per-bucket counts (not cumulative), then sum and count */
  counts: number[];
  sum: number;
  count: number;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

export class MetricRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const family = this.register(name, help, 'counter', labelNames, []);
    return {
      inc: (labels = {}, by = 1) => {
        if (!(by >= 0)) throw new RangeError(`counter ${name} can only go up (got ${by})`);
        const s = this.seriesOf(family, labels);
        if (s) s.value += by;
      },
    };
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const family = this.register(name, help, 'gauge', labelNames, []);
    return {
      set: (labels, value) => {
        const s = this.seriesOf(family, labels);
        if (s) s.value = value;
      },
    };
  }

  /** `buckets`: upper bounds, ascending; +Inf is implied. */
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    if (buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] as number)))
      throw new RangeError(`histogram ${name}: buckets must ascend`);
    const family = this.register(name, help, 'histogram', labelNames, buckets);
    return {
      observe: (labels, value) => {
        const s = this.seriesOf(family, labels);
        if (!s) return;
        const found = family.buckets.findIndex((b) => value <= b);
        const i = found === -1 ? family.buckets.length : found;
        s.counts[i] = (s.counts[i] ?? 0) + 1;
        s.sum += value;
        s.count += 1;
      },
    };
  }

  /** Drops every series whose labels include all of `match` (a removed target's series, say). */
  forget(match: Labels): void {
    const pairs = Object.entries(match);
    for (const family of this.families.values())
      for (const [key, s] of family.series)
        if (pairs.every(([k, v]) => s.labels[k] === v)) family.series.delete(key);
  }

  /** Every family, in registration order, in the text exposition format. */
  exposition(): string {
    const lines: string[] = [];
    for (const f of this.families.values()) {
      lines.push(...familyHeader(f.name, f.type, f.help));
      for (const s of f.series.values()) {
        if (f.type !== 'histogram') {
          lines.push(sampleLine(f.name, s.labels, s.value));
          continue;
        }
        let cumulative = 0;
        f.buckets.forEach((bound, i) => {
          cumulative += s.counts[i] ?? 0;
          lines.push(sampleLine(`${f.name}_bucket`, { ...s.labels, le: String(bound) }, cumulative));
        });
        lines.push(sampleLine(`${f.name}_bucket`, { ...s.labels, le: '+Inf' }, s.count));
        lines.push(sampleLine(`${f.name}_sum`, s.labels, s.sum));
        lines.push(sampleLine(`${f.name}_count`, s.labels, s.count));
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private register(
    name: string,
    help: string,
    type: MetricType,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Family {
    if (!isMetricName(name)) throw new RangeError(`invalid metric name ${JSON.stringify(name)}`);
    if (this.families.has(name)) throw new RangeError(`metric ${name} is registered twice`);
    const bad = labelNames.find((l) => !isLabelName(l) || (type === 'histogram' && l === 'le'));
    if (bad !== undefined) throw new RangeError(`metric ${name}: invalid label name ${JSON.stringify(bad)}`);
    const family: Family = { name, help, type, labelNames, buckets, series: new Map() };
    this.families.set(name, family);
    return family;
  }

  private seriesOf(family: Family, labels: Labels): Series | undefined {
    const values = family.labelNames.map((l) => labels[l] ?? '');
    const key = JSON.stringify(values);
    let s = family.series.get(key);
    if (!s) {
      if (family.series.size >= MAX_SERIES_PER_FAMILY) return undefined;
      const own = Object.fromEntries(family.labelNames.map((l, i) => [l, values[i] as string]));
      s = { labels: own, value: 0, counts: new Array(family.buckets.length + 1).fill(0), sum: 0, count: 0 };
      family.series.set(key, s);
    }
    return s;
  }
}
