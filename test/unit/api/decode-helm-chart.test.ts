// HelmChart objects decode with Flux's defaults (version `*`, ChartVersion strategy); the sourceRef kinds
// are Flux's plus OCIRepository, and CRD rules and signature verification are refused by field.
import { describe, expect, it } from 'vitest';
import { decodeHelmChart } from '../../../shared/api/decode-helm-chart.ts';
import { decodeYaml, FILE, issuesOf, refusalOf } from './decode-helpers.ts';

const podinfoChart = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 5m0s
  chart: podinfo
  sourceRef:
    kind: HelmRepository
    name: podinfo
`;

const withSpec = (...lines: string[]) =>
  `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: app
  namespace: apps
spec:
${lines.map((l) => `  ${l}`).join('\n')}
`;
const base = ['interval: 10m', 'chart: podinfo', 'sourceRef: {kind: HelmRepository, name: podinfo}'];
const issues = (...lines: string[]) => issuesOf(withSpec(...lines), decodeHelmChart);

describe('HelmChart', () => {
  it('a chart from a HelmRepository, with Flux defaults', () => {
    expect(decodeYaml(podinfoChart)).toEqual({
      kind: 'HelmChart',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      metadata: { name: 'podinfo', namespace: 'flux-system', labels: {}, annotations: {} },
      spec: {
        chart: 'podinfo',
        version: '*',
        sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
        reconcileStrategy: 'ChartVersion',
        valuesFiles: [],
        ignoreMissingValuesFiles: false,
        intervalMs: 300_000,
        suspend: false,
      },
      source: { file: FILE, document: 0 },
    });
  });

  it('a chart path in a GitRepository with values files, the Revision strategy and suspend', () => {
    expect(
      decodeYaml(
        withSpec(
          'interval: 1m',
          'chart: ./charts/app',
          'sourceRef: {apiVersion: source.toolkit.fluxcd.io/v1, kind: GitRepository, name: fleet}',
          'reconcileStrategy: Revision',
          'valuesFiles: [./charts/app/values.yaml, ./charts/app/values-prod.yaml]',
          'ignoreMissingValuesFiles: true',
          'suspend: true',
        ),
      ),
    ).toMatchObject({
      spec: {
        chart: './charts/app',
        version: '*',
        sourceRef: { kind: 'GitRepository', name: 'fleet' },
        reconcileStrategy: 'Revision',
        valuesFiles: ['./charts/app/values.yaml', './charts/app/values-prod.yaml'],
        ignoreMissingValuesFiles: true,
        suspend: true,
      },
    });
  });

  it('an OCIRepository source (a Sluice extension) and a version range kept as written', () => {
    expect(
      decodeYaml(
        withSpec(
          'interval: 1m',
          'chart: .',
          'version: ">=6.0.0 <7.0.0"',
          'sourceRef: {kind: OCIRepository, name: podinfo}',
        ),
      ),
    ).toMatchObject({
      spec: { chart: '.', version: '>=6.0.0 <7.0.0', sourceRef: { kind: 'OCIRepository' } },
    });
  });

  it('an empty version is the latest stable, as Flux defaults it', () => {
    expect(decodeYaml(withSpec(...base, 'version: ""'))).toMatchObject({ spec: { version: '*' } });
  });

  describe('refuses, naming the field and the fix', () => {
    it('signature verification, rather than using the chart unverified', () => {
      const refusal = refusalOf(() => decodeYaml(withSpec(...base, 'verify: {provider: notation}')));
      expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.verify' });
      expect(refusal.message).toContain('will not use the chart unverified');
    });

    it('missing chart, sourceRef and interval', () => {
      expect(issues('version: "1.x"')).toEqual([
        { field: 'spec.chart', problem: 'is required' },
        { field: 'spec.sourceRef', problem: 'is required' },
        { field: 'spec.interval', problem: 'is required' },
      ]);
      expect(issues('interval: 1m', 'chart: x', 'sourceRef: {}')).toEqual([
        { field: 'spec.sourceRef.kind', problem: 'is required' },
        { field: 'spec.sourceRef.name', problem: 'is required' },
      ]);
    });

    it('values outside the sourceRef kind and reconcileStrategy enums', () => {
      expect(
        issues(
          'interval: 1m',
          'chart: x',
          'sourceRef: {kind: HelmRelease, name: x}',
          'reconcileStrategy: Always',
        ),
      ).toEqual([
        {
          field: 'spec.sourceRef.kind',
          problem:
            'expected one of "HelmRepository", "GitRepository", "Bucket", "OCIRepository", got "HelmRelease"',
        },
        {
          field: 'spec.reconcileStrategy',
          problem: 'expected one of "ChartVersion", "Revision", got "Always"',
        },
      ]);
    });

    it('a version that is no semver range, for a HelmRepository chart only (Flux ignores it for the others)', () => {
      expect(issues(...base, 'version: latest')).toEqual([
        {
          field: 'spec.version',
          problem:
            'expected a semver range such as "6.x", ">=1.2.0 <2.0.0" or "*" (the latest stable), got "latest"',
        },
      ]);
      expect(
        issues('interval: 1m', 'chart: ./c', 'version: latest', 'sourceRef: {kind: GitRepository, name: f}'),
      ).toEqual([]);
    });

    it('valuesFiles that are not a list of strings', () => {
      expect(issues(...base, 'valuesFiles: values.yaml')).toEqual([
        { field: 'spec.valuesFiles', problem: 'expected a list, got "values.yaml"' },
      ]);
      expect(issues(...base, 'valuesFiles: [{file: a}]')).toEqual([
        { field: 'spec.valuesFiles[0]', problem: 'expected a string, got a mapping' },
      ]);
    });

    it('unknown fields, including a namespace in the sourceRef (a HelmChart reads its own namespace)', () => {
      expect(
        issues(
          'interval: 1m',
          'chart: x',
          'sourceRef: {kind: HelmRepository, name: x, namespace: other}',
          'valueFiles: []',
        ),
      ).toEqual([
        { field: 'spec.valueFiles', problem: 'unknown field; did you mean spec.valuesFiles?' },
        { field: 'spec.sourceRef.namespace', problem: expect.stringMatching(/^unknown field/) },
      ]);
    });
  });
});
