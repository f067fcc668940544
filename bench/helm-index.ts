// Reading a large Helm repository index: parse a generated 10,000-entry index.yaml of about 20 MB (400
// charts × 25 versions, written as helm writes it) and select versions from it, against the `yaml`
// package's parse of the same bytes in the same run (what reading it naively would cost).
import { parse } from 'yaml';
import { parseChartIndex, selectChartVersion } from '../shared/core/helm/chart-index.ts';
import { generateHelmIndex } from '../test/support/helm-index-generator.ts';
import { median, round } from './measure.ts';

export async function helmIndex(runs = 5, baselineRuns = 3): Promise<Record<string, number>> {
  const text = generateHelmIndex({
    charts: 400,
    versionsPerChart: 25,
    baseUrl: 'https://charts.example.com/stable',
    prereleaseEvery: 5,
  });
  const bytes = Buffer.from(text);
  const ours = await median(runs, async () => {
    const index = parseChartIndex(bytes, 'https://charts.example.com/stable');
    const names = [...index.entries.keys()];
    // A HelmChart asks for one chart; a few ranges of a few charts, as a fleet's HelmCharts would.
    for (const name of [names[0], names[names.length >> 1], names[names.length - 1]] as string[]) {
      selectChartVersion(index, name, '*');
      selectChartVersion(index, name, '>=1.0.0 <2.0.0');
      selectChartVersion(index, name, '~0.5');
    }
  });
  const baseline = await median(baselineRuns, async () => parse(bytes.toString('utf8')));
  return {
    helm_index_10k_entries_ms: round(ours),
    helm_index_10k_entries_bytes: bytes.length,
    helm_index_baseline_yaml_parse_ms: round(baseline),
    helm_index_ratio_vs_yaml: round(ours / baseline, 3),
  };
}
