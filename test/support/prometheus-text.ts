// A strict reader of the Prometheus text exposition format for tests: every sample belongs to a family
// declared by # TYPE before it, labels and values parse, and a histogram's buckets add up to its count.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(?:,|$)/;

/** Throws on the first line that is not valid exposition text. */
export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1} (${JSON.stringify(line)})`;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      if (!name) throw new Error(`${where}: no metric name`);
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (family.samples.length > 0) throw new Error(`${where}: TYPE after samples`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest[0] ?? ''))
          throw new Error(`${where}: unknown type`);
        family.type = rest[0] as string;
      } else family.help = rest.join(' ').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      families.set(name, family);
      return;
    }
    if (line.startsWith('#') || line === '') return;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a sample line`);
    const [, name = '', labelText = '', valueText = ''] = m;
    const value = parseValue(valueText, where);
    const labels = parseLabels(labelText, where);
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, '')) ?? undefined;
    if (!family || family.type === 'untyped') throw new Error(`${where}: no # TYPE for ${name}`);
    if (family.name !== name && family.type !== 'histogram' && family.type !== 'summary')
      throw new Error(`${where}: ${name} is not a sample of ${family.type} ${family.name}`);
    family.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const n = Number(text);
  if (text === '' || Number.isNaN(n)) throw new Error(`${where}: value ${text} is not a number`);
  return n;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`${where}: bad labels at ${JSON.stringify(rest)}`);
    const [whole, key = '', raw = ''] = m;
    if (key in labels) throw new Error(`${where}: label ${key} twice`);
    labels[key] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** Per series: buckets ascend in `le`, counts never drop, and the +Inf bucket equals _count. */
function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    let last = -1;
    let lastLe = Number.NEGATIVE_INFINITY;
    for (const b of buckets) {
      const le = parseValue(b.labels.le ?? '', `${f.name}${key}`);
      if (le <= lastLe || b.value < last) throw new Error(`${f.name}${key}: buckets out of order`);
      last = b.value;
      lastLe = le;
    }
    if (lastLe !== Number.POSITIVE_INFINITY || !count || count.value !== last)
      throw new Error(`${f.name}${key}: the +Inf bucket must equal _count`);
    if (!samples.some((s) => s.name === `${f.name}_sum`)) throw new Error(`${f.name}${key}: no _sum`);
  }
}
