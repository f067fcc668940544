// HelmRelease manifests as a fleet repository holds them, for tests that write one: flux-system's release of a
// chart (by default one in the repository, from the GitRepository flux-system), with the test's own lines.
export interface HelmReleaseYaml {
  /** spec.chart.spec.chart: a path in the repository, or a chart name in a HelmRepository. */
  chart: string;
  targetNamespace?: string;
  /** spec.chart.spec.sourceRef; GitRepository flux-system unless given. */
  sourceRef?: { kind: string; name: string };
  /** Lines under spec before spec.chart, indented two spaces (e.g. `install:`). */
  before?: string;
  /** Lines in spec.chart.spec before sourceRef, indented six spaces (e.g. `version:`, `valuesFiles:`). */
  chartSpec?: string;
  /** Lines under spec after spec.chart, indented two spaces (e.g. `values:`, `valuesFrom:`). */
  after?: string;
}

/** The manifest, ending in a newline, so that documents join with `---\n`. */
export function helmReleaseYaml(name: string, o: HelmReleaseYaml): string {
  const source = o.sourceRef ?? { kind: 'GitRepository', name: 'flux-system' };
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
${o.targetNamespace ? `  targetNamespace: ${o.targetNamespace}\n` : ''}${o.before ?? ''}  chart:
    spec:
      chart: ${o.chart}
${o.chartSpec ?? ''}      sourceRef:
        kind: ${source.kind}
        name: ${source.name}
${o.after ?? ''}`;
}
