// The HelmChart a HelmRelease's chart template implies, as helm-controller builds it: named
// `<release namespace>-<release name>` in the sourceRef's namespace, interval defaulting to the release's;
// and a release's chartRef, validated.
import { describe, expect, it } from 'vitest';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import { FieldReader } from '../../../shared/api/field-reader.ts';
import type { HelmRelease } from '../../../shared/api/helm-release.ts';
import { chartRefOf, impliedHelmChart } from '../../../shared/api/implied-helm-chart.ts';
import { parseManifests } from '../../../shared/api/parse-manifests.ts';
import { FILE, refusalOf } from './decode-helpers.ts';

/** As the Flux docs and public fleets write it. */
const podinfoRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  releaseName: podinfo
  interval: 50m
  timeout: 5m
  chart:
    metadata:
      labels: {team: web}
      annotations: {owner: web-team}
    spec:
      chart: podinfo
      version: "6.5.*"
      sourceRef:
        kind: HelmRepository
        name: podinfo
        namespace: flux-system
      interval: 12h
      valuesFiles: [values.yaml, values-prod.yaml]
  install:
    remediation:
      retries: 3
  values:
    replicaCount: 2
`;

const chartRefRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  interval: 10m
  chartRef:
    kind: OCIRepository
    name: podinfo
  values:
    replicaCount: 2
`;

const raw = (text: string) => parseManifests(text, FILE)[0]?.value ?? {};
const at = { file: FILE, document: 0 };
const meta = (namespace: string, name: string) => ({ name, namespace, labels: {}, annotations: {} });

/** A podinfo release in `apps` whose `spec.chart.spec` is the given YAML flow mapping. */
const withTemplate = (template: string, extra = '') =>
  raw(`apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  interval: 10m
  chart:
    spec: ${template}
${extra}`);

function implied(value: Record<string, unknown>) {
  const r = new FieldReader();
  const result = impliedHelmChart(value, meta('apps', 'podinfo'), at, r);
  return { result, issues: r.issues };
}

describe('impliedHelmChart', () => {
  it('builds the HelmChart helm-controller would create from the template', () => {
    const r = new FieldReader();
    expect(impliedHelmChart(raw(podinfoRelease), meta('podinfo', 'podinfo'), at, r)).toEqual({
      chart: {
        kind: 'HelmChart',
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        metadata: {
          name: 'podinfo-podinfo',
          namespace: 'flux-system',
          labels: { team: 'web' },
          annotations: { owner: 'web-team' },
        },
        spec: {
          chart: 'podinfo',
          version: '6.5.*',
          sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
          reconcileStrategy: 'ChartVersion',
          valuesFiles: ['values.yaml', 'values-prod.yaml'],
          ignoreMissingValuesFiles: false,
          intervalMs: 12 * 3_600_000,
          suspend: false,
        },
        source: at,
      },
      sourceNamespace: 'flux-system',
    });
    expect(r.issues).toEqual([]);
  });

  it("defaults the namespace to the release's, the interval to spec.interval and the version to *", () => {
    const { result, issues } = implied(
      withTemplate('{chart: ./charts/app, sourceRef: {kind: GitRepository, name: fleet}}'),
    );
    expect(issues).toEqual([]);
    expect(result?.sourceNamespace).toBe('apps');
    expect(result?.chart.metadata).toEqual({
      name: 'apps-podinfo',
      namespace: 'apps',
      labels: {},
      annotations: {},
    });
    expect(result?.chart.spec).toMatchObject({
      version: '*',
      intervalMs: 600_000,
      reconcileStrategy: 'ChartVersion',
    });
  });

  it('is undefined for a release using spec.chartRef', () => {
    expect(implied(raw(chartRefRelease))).toEqual({ result: undefined, issues: [] });
  });

  describe('refuses, naming the field', () => {
    it('both or neither of spec.chart and spec.chartRef', () => {
      const both = withTemplate(
        '{chart: a, sourceRef: {kind: HelmRepository, name: r}}',
        '  chartRef: {kind: OCIRepository, name: a}\n',
      );
      expect(implied(both).issues.map((i) => i.field)).toEqual(['spec.chartRef']);
      const neither = raw(
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\nspec: {interval: 1m}\n',
      );
      expect(implied(neither).issues).toEqual([
        {
          field: 'spec.chart',
          problem:
            'is required: set spec.chart (a chart template with a sourceRef) or spec.chartRef (an OCIRepository or HelmChart)',
        },
      ]);
    });

    it('signature verification in the template', () => {
      const { issues } = implied(
        withTemplate('{chart: a, sourceRef: {kind: HelmRepository, name: r}, verify: {provider: cosign}}'),
      );
      expect(issues.map((i) => i.field)).toEqual(['spec.chart.spec.verify']);
      expect(issues[0]?.problem).toContain('will not use the chart unverified');
    });

    it('enum, length and pattern violations in the template', () => {
      const { issues } = implied(
        withTemplate(
          `{chart: a, version: "not a range", interval: soon, reconcileStrategy: Daily, sourceRef: {kind: Helm, name: r, namespace: ""}}`,
        ),
      );
      expect(issues.map((i) => i.field)).toEqual([
        'spec.chart.spec.sourceRef.kind',
        'spec.chart.spec.sourceRef.namespace',
        'spec.chart.spec.reconcileStrategy',
        'spec.chart.spec.interval',
      ]);
      expect(
        implied(
          withTemplate('{chart: a, version: "not a range", sourceRef: {kind: HelmRepository, name: r}}'),
        ).issues,
      ).toEqual([
        {
          field: 'spec.chart.spec.version',
          problem:
            'expected a semver range such as "6.x", ">=1.2.0 <2.0.0" or "*" (the latest stable), got "not a range"',
        },
      ]);
      const long = implied(
        withTemplate(`{chart: ${'c'.repeat(2049)}, sourceRef: {kind: HelmRepository, name: r}}`),
      );
      expect(long.issues).toEqual([
        { field: 'spec.chart.spec.chart', problem: 'must be at most 2048 characters, got 2049' },
      ]);
    });

    it('a missing interval everywhere', () => {
      const noInterval = raw(
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\nspec:\n  chart:\n    spec: {chart: a, sourceRef: {kind: HelmRepository, name: r}}\n',
      );
      expect(implied(noInterval).issues).toEqual([{ field: 'spec.interval', problem: 'is required' }]);
    });

    it('unknown fields in the template, with the closest known one', () => {
      const value = withTemplate(
        '{chart: a, sourceRef: {kind: HelmRepository, name: r}, valueFiles: [a.yaml]}',
      );
      (value.spec as { chart: Record<string, unknown> }).chart.metdata = {};
      expect(implied(value).issues).toEqual([
        { field: 'spec.chart.metdata', problem: 'unknown field; did you mean spec.chart.metadata?' },
        {
          field: 'spec.chart.spec.valueFiles',
          problem: 'unknown field; did you mean spec.chart.spec.valuesFiles?',
        },
      ]);
    });

    it('an apiVersion other than v2', () => {
      const old = {
        ...withTemplate('{chart: a, sourceRef: {kind: HelmRepository, name: r}}'),
        apiVersion: 'helm.toolkit.fluxcd.io/v2beta1',
      };
      expect(implied(old).issues.map((i) => i.field)).toEqual(['apiVersion']);
    });
  });
});

describe('chartRefOf', () => {
  it("reads spec.chartRef, its namespace defaulting to the release's", () => {
    expect(chartRefOf(raw(chartRefRelease))).toEqual({
      kind: 'OCIRepository',
      name: 'podinfo',
      namespace: 'apps',
    });
    const other = raw(chartRefRelease);
    (other.spec as { chartRef: Record<string, unknown> }).chartRef = {
      kind: 'HelmChart',
      name: 'c',
      namespace: 'flux-system',
    };
    expect(chartRefOf(other)).toEqual({ kind: 'HelmChart', name: 'c', namespace: 'flux-system' });
  });

  it('is undefined for a release with a chart template', () => {
    expect(chartRefOf(raw(podinfoRelease))).toBeUndefined();
  });

  it('takes an ExternalArtifact (of an ArtifactGenerator) in the release namespace', () => {
    const value = raw(chartRefRelease);
    (value.spec as { chartRef: Record<string, unknown> }).chartRef = { kind: 'ExternalArtifact', name: 'a' };
    expect(chartRefOf(value)).toEqual({ kind: 'ExternalArtifact', name: 'a', namespace: 'apps' });
  });

  it('refuses other kinds and unknown fields, naming the release', () => {
    const value = raw(chartRefRelease);
    (value.spec as { chartRef: Record<string, unknown> }).chartRef = { kind: 'HelmRepository', nmae: 'a' };
    const r = new FieldReader();
    expect(chartRefOf(value, r)).toBeUndefined();
    expect(r.issues.map((i) => i.field)).toEqual([
      'spec.chartRef.nmae',
      'spec.chartRef.kind',
      'spec.chartRef.name',
    ]);
  });
});

describe('a HelmRelease decoded whole', () => {
  const release = (value: Record<string, unknown>) => decodeResource(value, at) as HelmRelease;
  it('carries the implied chart or the chartRef', () => {
    expect(release(raw(podinfoRelease)).spec.chart?.helmChart.metadata.name).toBe('podinfo-podinfo');
    expect(release(raw(chartRefRelease)).spec.chartRef).toEqual({
      kind: 'OCIRepository',
      name: 'podinfo',
      namespace: 'apps',
    });
  });

  it('throws one ValidationFailed naming the file, the release and every field', () => {
    const value = withTemplate(
      '{chart: a, sourceRef: {kind: HelmRepository, name: r}, verify: {provider: cosign}}',
    );
    const refusal = refusalOf(() => decodeResource(value, at));
    expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.chart.spec.verify' });
    expect(refusal.message).toMatch(
      new RegExp(`^${FILE}: HelmRelease/apps/podinfo: spec.chart.spec.verify: `),
    );
  });
});
