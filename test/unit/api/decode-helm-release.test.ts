// HelmReleases from public fleets and helm-controller's own e2e data, decoded with Flux's CRD rules and
// defaults; fields Sluice accepts without carrying out become warnings, malformed ones are refused by field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConfigData } from '../../../shared/api/config-data.ts';
import { decodeHelmRelease } from '../../../shared/api/decode-helm-release.ts';
import { decodeResource } from '../../../shared/api/decode-resource.ts';
import type { HelmRelease } from '../../../shared/api/helm-release.ts';
import { parseManifests } from '../../../shared/api/parse-manifests.ts';
import { mergeReleaseValues } from '../../../shared/core/helm/merge-release-values.ts';
import { parseYaml11 } from '../../../shared/core/render/yaml-codec.ts';
import { decodeYaml, FILE, issuesOf, refusalOf } from './decode-helpers.ts';

const FIXTURES = new URL('../../fixtures/helm-release/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** Every document of a fixture file, decoded as the fleet reader does. */
function decodeFixture(name: string) {
  return parseManifests(fixture(name), name).map((doc) =>
    decodeResource(doc.value, { file: name, document: doc.index }),
  );
}

function releaseIn(name: string): HelmRelease {
  const found = decodeFixture(name).find((r) => r.kind === 'HelmRelease');
  if (found?.kind !== 'HelmRelease') throw new Error(`no HelmRelease in ${name}`);
  return found;
}

/** A HelmRelease in namespace apps with `spec` (a YAML block indented by two) besides interval and chartRef. */
const release = (spec = '') =>
  `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  interval: 10m
  chartRef: {kind: OCIRepository, name: podinfo}
${spec}`;

const issues = (spec: string) => issuesOf(release(spec), decodeHelmRelease);
const fields = (spec: string) => issues(spec).map((i) => i.field);
const decoded = (spec = '') => decodeYaml(release(spec)) as HelmRelease;

describe('decodeHelmRelease', () => {
  it('decodes the podinfo release of flux2-kustomize-helm-example with its chart template and defaults', () => {
    const hr = releaseIn('podinfo-chart-template.yaml');
    expect(hr.metadata).toMatchObject({ name: 'podinfo', namespace: 'podinfo' });
    expect(hr.spec.chart?.helmChart.metadata).toMatchObject({
      name: 'podinfo-podinfo',
      namespace: 'podinfo',
    });
    expect(hr.spec.chart?.helmChart.spec).toMatchObject({
      chart: 'podinfo',
      version: '*',
      sourceRef: { kind: 'HelmRepository', name: 'podinfo' },
      intervalMs: 50 * 60_000,
    });
    expect(hr.spec).toMatchObject({
      releaseName: 'podinfo',
      storageNamespace: 'podinfo',
      intervalMs: 50 * 60_000,
      timeoutMs: 300_000,
      maxHistory: 5,
      suspend: false,
      valuesFrom: [],
      dependsOn: [],
      postRenderers: [],
      install: {
        crds: 'Create',
        createNamespace: false,
        disableHooks: false,
        disableWait: false,
        remediationRetries: 0,
      },
      upgrade: {
        crds: 'Create',
        force: false,
        disableHooks: false,
        disableWait: false,
        remediationRetries: 0,
      },
      uninstall: { keepHistory: false, disableHooks: false },
      driftDetection: { mode: 'disabled', ignore: [] },
      // RetryOnFailure without a retryInterval is what Sluice does anyway: no warning.
      notHonoured: [],
    });
    expect(hr.spec.values).toMatchObject({
      redis: { enabled: true, tag: '8.6.2' },
      httpRoute: { hostnames: ['podinfo.local'] },
    });
    expect(hr.spec.chartRef).toBeUndefined();
    expect(hr.spec.targetNamespace).toBeUndefined();
  });

  it('decodes the cert-manager release of flux2-kustomize-helm-example with its chartRef to an OCIRepository', () => {
    const hr = releaseIn('cert-manager-chart-ref.yaml');
    expect(hr.spec.chartRef).toEqual({
      kind: 'OCIRepository',
      name: 'cert-manager',
      namespace: 'cert-manager',
    });
    expect(hr.spec.chart).toBeUndefined();
    expect(hr.spec).toMatchObject({
      releaseName: 'cert-manager',
      intervalMs: 12 * 3_600_000,
      values: { crds: { enabled: true, keep: false }, config: { enableGatewayAPI: true } },
    });
  });

  it("decodes helm-controller's valuesfrom e2e release, whose merged values are its golden `helm get values`", () => {
    const resources = decodeFixture('valuesfrom.yaml');
    const hr = resources.find((r): r is HelmRelease => r.kind === 'HelmRelease');
    if (!hr) throw new Error('no HelmRelease');
    expect(hr.spec.valuesFrom).toEqual([
      { kind: 'ConfigMap', name: 'valuesfrom-config', valuesKey: 'resources.limits', optional: false },
      { kind: 'ConfigMap', name: 'valuesfrom-config', valuesKey: 'resources.requests', optional: false },
      {
        kind: 'ConfigMap',
        name: 'valuesfrom-config',
        valuesKey: 'resources.limits.cpu',
        targetPath: 'resources.limits.cpu',
        optional: false,
      },
      {
        kind: 'ConfigMap',
        name: 'valuesfrom-config',
        valuesKey: 'list.example',
        targetPath: 'list.example',
        optional: false,
      },
      {
        kind: 'ConfigMap',
        name: 'valuesfrom-config',
        valuesKey: 'list.example.overwrite',
        targetPath: 'list.example[2]',
        optional: false,
      },
      {
        kind: 'ConfigMap',
        name: 'valuesfrom-config',
        valuesKey: 'podAnnotation.example.value',
        targetPath: 'podAnnotations.some\\.k8s\\.annotation\\/env',
        optional: false,
      },
      { kind: 'Secret', name: 'valuesfrom-secret', valuesKey: 'values.yaml', optional: false },
    ]);
    const configs = resources.filter((r): r is ConfigData => r.kind === 'ConfigMap' || r.kind === 'Secret');
    const merged = mergeReleaseValues(hr, (kind, namespace, name) =>
      configs.find((c) => c.kind === kind && c.metadata.namespace === namespace && c.metadata.name === name),
    );
    const golden = parseYaml11(fixture('valuesfrom-golden.yaml'));
    expect('value' in golden && golden.value).toEqual(merged);
  });

  it("decodes helm-controller's post-renderer e2e release: kustomize patches in order", () => {
    const hr = releaseIn('post-renderer-kustomize.yaml');
    expect(hr.spec.postRenderers).toEqual([
      {
        patches: [
          {
            patch:
              'kind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: mypodinfo\n  labels:\n    xxxx: yyyy\n',
          },
          {
            patch: '- op: add\n  path: /metadata/labels/yyyy\n  value: xxxx\n',
            target: { group: 'apps', version: 'v1', kind: 'Deployment', name: 'mypodinfo' },
          },
        ],
        images: [],
      },
    ]);
  });

  it("decodes helm-controller's install-create-target-ns release: release name and namespace from targetNamespace", () => {
    const hr = releaseIn('install-create-target-ns.yaml');
    expect(hr.spec).toMatchObject({
      releaseName: 'install-create-target-ns-install-create-target-ns',
      targetNamespace: 'install-create-target-ns',
      storageNamespace: 'flux-system',
      install: { createNamespace: true },
    });
  });

  describe('release name', () => {
    it.each([
      ['the name', '', 'podinfo'],
      ['targetNamespace-name', '  targetNamespace: web\n', 'web-podinfo'],
      ['spec.releaseName', '  targetNamespace: web\n  releaseName: front\n', 'front'],
    ])('is %s', (_, spec, expected) => {
      expect(decoded(spec).spec.releaseName).toBe(expected);
    });

    it('shortens a default name past 53 characters as helm-controller does', () => {
      const long = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: with-very-long-name-which-is-longer-than-53-characters, namespace: apps}
spec:
  interval: 10m
  targetNamespace: release-name
  chartRef: {kind: OCIRepository, name: podinfo}
`;
      expect((decodeYaml(long) as HelmRelease).spec.releaseName).toBe(
        'release-name-with-very-long-name-which-i-788ca0d0d7b0',
      );
    });
  });

  it('decodes every honoured field', () => {
    const hr = decoded(`  targetNamespace: web
  storageNamespace: helm-records
  timeout: 90s
  maxHistory: 0
  suspend: true
  serviceAccountName: deployer
  install:
    crds: CreateReplace
    createNamespace: true
    disableHooks: true
    disableWait: true
    timeout: 2m
    remediation: {retries: -1}
  upgrade:
    crds: Skip
    force: true
    timeout: 3m
    remediation: {retries: 3}
  uninstall: {keepHistory: true, disableHooks: true, timeout: 1m}
  commonMetadata:
    labels: {team: web}
    annotations: {owner: web-team}
  dependsOn:
  - name: db
  - {name: infra, namespace: flux-system, kind: Kustomization}
  - {name: cache, kind: HelmRelease}
  driftDetection:
    mode: warn
    ignore:
    - paths: [/spec/replicas]
      target: {kind: Deployment, name: podinfo}
    - paths: ["/metadata/annotations/example.com~1hash", ""]
  postRenderers:
  - kustomize:
      images:
      - {name: ghcr.io/stefanprodan/podinfo, newTag: 6.7.0}
  - {}
  valuesFrom:
  - {kind: Secret, name: creds, valuesKey: token, targetPath: auth.token, optional: true, literal: true}
  - {kind: ConfigMap, name: base}
  values: {replicaCount: 2}
`);
    expect(hr.spec).toMatchObject({
      releaseName: 'web-podinfo',
      targetNamespace: 'web',
      storageNamespace: 'helm-records',
      timeoutMs: 90_000,
      maxHistory: 0,
      suspend: true,
      serviceAccountName: 'deployer',
      install: {
        crds: 'CreateReplace',
        createNamespace: true,
        disableHooks: true,
        disableWait: true,
        timeoutMs: 120_000,
        remediationRetries: -1,
      },
      upgrade: { crds: 'Skip', force: true, timeoutMs: 180_000, remediationRetries: 3 },
      uninstall: { keepHistory: true, disableHooks: true, timeoutMs: 60_000 },
      commonMetadata: { labels: { team: 'web' }, annotations: { owner: 'web-team' } },
      dependsOn: [
        { name: 'db' },
        { name: 'infra', namespace: 'flux-system', kind: 'Kustomization' },
        { name: 'cache', kind: 'HelmRelease' },
      ],
      driftDetection: {
        mode: 'warn',
        ignore: [
          { paths: ['/spec/replicas'], target: { kind: 'Deployment', name: 'podinfo' } },
          { paths: ['/metadata/annotations/example.com~1hash', ''] },
        ],
      },
      postRenderers: [
        { patches: [], images: [{ name: 'ghcr.io/stefanprodan/podinfo', newTag: '6.7.0' }] },
        { patches: [], images: [] },
      ],
      valuesFrom: [
        {
          kind: 'Secret',
          name: 'creds',
          valuesKey: 'token',
          targetPath: 'auth.token',
          optional: true,
          literal: true,
        },
        { kind: 'ConfigMap', name: 'base', valuesKey: 'values.yaml', optional: false },
      ],
      values: { replicaCount: 2 },
      notHonoured: [
        'spec.upgrade.remediation.retries: not honoured by Sluice: a failed release is tried again at every puller reconcile, without a limit, and never rolled back or uninstalled',
      ],
    });
  });

  it('creates the namespace only with a targetNamespace, as helm-controller does', () => {
    expect(decoded('  install: {createNamespace: true}\n').spec.install.createNamespace).toBe(false);
  });

  describe('warns, field by field, about what Sluice accepts but does not carry out', () => {
    it.each([
      ['spec.test', '  test: {enable: true}\n'],
      ['spec.rollback', '  rollback: {cleanupOnFail: true}\n'],
      [
        'spec.install.strategy.retryInterval',
        '  install: {strategy: {name: RetryOnFailure, retryInterval: 1m}}\n',
      ],
      ['spec.upgrade.remediation', '  upgrade: {remediation: {strategy: uninstall}}\n'],
      ['spec.upgrade.remediation.retries', '  upgrade: {remediation: {retries: 2}}\n'],
      ['spec.install.remediation', '  install: {remediation: {remediateLastFailure: true}}\n'],
      ['spec.install.disableTakeOwnership', '  install: {disableTakeOwnership: true}\n'],
      ['spec.upgrade.disableSchemaValidation', '  upgrade: {disableSchemaValidation: true}\n'],
      ['spec.upgrade.disableWaitForJobs', '  upgrade: {disableWaitForJobs: true}\n'],
      ['spec.install.disableOpenAPIValidation', '  install: {disableOpenAPIValidation: true}\n'],
      ['spec.install.replace', '  install: {replace: true}\n'],
      ['spec.install.skipCRDs', '  install: {skipCRDs: true}\n'],
      ['spec.install.serverSideApply', '  install: {serverSideApply: false}\n'],
      ['spec.upgrade.serverSideApply', '  upgrade: {serverSideApply: disabled}\n'],
      ['spec.upgrade.preserveValues', '  upgrade: {preserveValues: true}\n'],
      ['spec.upgrade.cleanupOnFail', '  upgrade: {cleanupOnFail: true}\n'],
      ['spec.upgrade.chartNameChangeStrategy', '  upgrade: {chartNameChangeStrategy: Reinstall}\n'],
      ['spec.uninstall.deletionPropagation', '  uninstall: {deletionPropagation: orphan}\n'],
      ['spec.persistentClient', '  persistentClient: true\n'],
      ['spec.waitStrategy', '  waitStrategy: {name: legacy}\n'],
      [
        'spec.healthCheckExprs',
        '  healthCheckExprs: [{apiVersion: example.com/v1, kind: Thing, current: "true"}]\n',
      ],
      ['spec.postRenderStrategy', '  postRenderStrategy: nohooks\n'],
      ['spec.dependsOn[0].readyExpr', '  dependsOn: [{name: db, readyExpr: "dep.status.ready"}]\n'],
    ])('%s', (field, spec) => {
      const warnings = decoded(spec).spec.notHonoured ?? [];
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.startsWith(`${field}: `)).toBe(true);
    });

    it('says why Helm tests do not run', () => {
      expect(decoded('  test: {enable: true}\n').spec.notHonoured).toEqual([
        'spec.test: Helm tests are not run by Sluice: test hooks are dropped when the chart is rendered, so the release is Ready without them; run `helm test` against the cluster if you need them',
      ]);
    });

    it.each([
      ['tests that are off', '  test: {enable: false, timeout: 1m}\n'],
      ['the default post-render strategy', '  postRenderStrategy: combined\n'],
      ['server-side apply on', '  install: {serverSideApply: true}\n  upgrade: {serverSideApply: auto}\n'],
      ['in-place chart renames', '  upgrade: {chartNameChangeStrategy: InPlaceUpdate}\n'],
      ['background deletion', '  uninstall: {deletionPropagation: background}\n'],
    ])('but not about %s', (_, spec) => {
      expect(decoded(spec).spec.notHonoured).toEqual([]);
    });
  });

  describe('refuses, naming the field', () => {
    it.each([
      [
        'an unknown spec field, with a suggestion',
        '  valuesFrm: []\n',
        'spec.valuesFrm',
        /did you mean spec\.valuesFrom\?/,
      ],
      [
        'a release name over 53 characters',
        `  releaseName: ${'a'.repeat(54)}\n`,
        'spec.releaseName',
        /at most 53/,
      ],
      [
        'a targetNamespace over 63 characters',
        `  targetNamespace: ${'a'.repeat(64)}\n`,
        'spec.targetNamespace',
        /at most 63/,
      ],
      ['values that are not a map', '  values: [a, b]\n', 'spec.values', /a mapping/],
      [
        'a valuesFrom kind other than ConfigMap or Secret',
        '  valuesFrom: [{kind: Kustomization, name: x}]\n',
        'spec.valuesFrom[0].kind',
        /ConfigMap/,
      ],
      [
        'a valuesFrom without a name',
        '  valuesFrom: [{kind: Secret}]\n',
        'spec.valuesFrom[0].name',
        /required/,
      ],
      [
        "a valuesKey outside Flux's pattern",
        '  valuesFrom: [{kind: Secret, name: x, valuesKey: "a/b"}]\n',
        'spec.valuesFrom[0].valuesKey',
        /data key/,
      ],
      [
        "a targetPath outside Flux's pattern",
        '  valuesFrom: [{kind: Secret, name: x, targetPath: "a=b"}]\n',
        'spec.valuesFrom[0].targetPath',
        /--set path/,
      ],
      [
        'an empty valuesKey (the CRD pattern needs one character)',
        '  valuesFrom: [{kind: Secret, name: x, valuesKey: ""}]\n',
        'spec.valuesFrom[0].valuesKey',
        /data key/,
      ],
      [
        'a CRD policy that does not exist',
        '  install: {crds: Replace}\n',
        'spec.install.crds',
        /CreateReplace/,
      ],
      [
        'a remediation retries that is no integer',
        '  upgrade: {remediation: {retries: "3"}}\n',
        'spec.upgrade.remediation.retries',
        /integer/,
      ],
      ['a maxHistory that is no integer', '  maxHistory: 2.5\n', 'spec.maxHistory', /integer/],
      ['a bad timeout', '  timeout: 5 minutes\n', 'spec.timeout', /duration/],
      [
        'an upgrade remediation strategy that does not exist',
        '  upgrade: {remediation: {strategy: reinstall}}\n',
        'spec.upgrade.remediation.strategy',
        /rollback/,
      ],
      [
        'an install remediation strategy (upgrade only)',
        '  install: {remediation: {strategy: rollback}}\n',
        'spec.install.remediation.strategy',
        /unknown field/,
      ],
      [
        'a retryInterval with RemediateOnFailure',
        '  install: {strategy: {name: RemediateOnFailure, retryInterval: 1m}}\n',
        'spec.install.strategy.retryInterval',
        /RetryOnFailure/,
      ],
      [
        'a strategy without a name',
        '  upgrade: {strategy: {retryInterval: 1m}}\n',
        'spec.upgrade.strategy.name',
        /required/,
      ],
      [
        'a drift detection mode that does not exist',
        '  driftDetection: {mode: on}\n',
        'spec.driftDetection.mode',
        /enabled/,
      ],
      [
        'an ignore rule without paths',
        '  driftDetection: {ignore: [{target: {kind: Deployment}}]}\n',
        'spec.driftDetection.ignore[0].paths',
        /required/,
      ],
      [
        'an ignore path that is no JSON pointer',
        '  driftDetection: {ignore: [{paths: [spec.replicas]}]}\n',
        'spec.driftDetection.ignore[0].paths[0]',
        /JSON pointer/,
      ],
      [
        'an ignore path with a bad ~ escape',
        '  driftDetection: {ignore: [{paths: ["/a~2b"]}]}\n',
        'spec.driftDetection.ignore[0].paths[0]',
        /JSON pointer/,
      ],
      [
        'an unknown ignore target field',
        '  driftDetection: {ignore: [{paths: [/a], target: {kinds: x}}]}\n',
        'spec.driftDetection.ignore[0].target.kinds',
        /unknown field/,
      ],
      [
        'a post-renderer that is not kustomize',
        '  postRenderers: [{helm: {}}]\n',
        'spec.postRenderers[0].helm',
        /unknown field/,
      ],
      [
        'a kustomize post-renderer field v2 dropped',
        '  postRenderers: [{kustomize: {patchesStrategicMerge: []}}]\n',
        'spec.postRenderers[0].kustomize.patchesStrategicMerge',
        /unknown field/,
      ],
      [
        'a patch without its patch',
        '  postRenderers: [{kustomize: {patches: [{target: {kind: Deployment}}]}}]\n',
        'spec.postRenderers[0].kustomize.patches[0].patch',
        /required/,
      ],
      [
        'an image without its name',
        '  postRenderers: [{kustomize: {images: [{newTag: "1"}]}}]\n',
        'spec.postRenderers[0].kustomize.images[0].name',
        /required/,
      ],
      [
        'a dependsOn kind Sluice does not know',
        '  dependsOn: [{name: a, kind: GitRepository}]\n',
        'spec.dependsOn[0].kind',
        /Kustomization/,
      ],
      ['a dependsOn without a name', '  dependsOn: [{namespace: a}]\n', 'spec.dependsOn[0].name', /required/],
      [
        'a test filter without a name',
        '  test: {filters: [{exclude: true}]}\n',
        'spec.test.filters[0].name',
        /required/,
      ],
      [
        'a deletion propagation that does not exist',
        '  uninstall: {deletionPropagation: cascade}\n',
        'spec.uninstall.deletionPropagation',
        /orphan/,
      ],
      [
        'a wait strategy that does not exist',
        '  waitStrategy: {name: kstatus}\n',
        'spec.waitStrategy.name',
        /poller/,
      ],
      [
        'a health check expression without current',
        '  healthCheckExprs: [{apiVersion: v1}]\n',
        'spec.healthCheckExprs[0].current',
        /required/,
      ],
      [
        'a post-render strategy that does not exist',
        '  postRenderStrategy: all\n',
        'spec.postRenderStrategy',
        /combined/,
      ],
      ['an empty serviceAccountName', '  serviceAccountName: ""\n', 'spec.serviceAccountName', /at least 1/],
    ])('%s', (_, spec, field, problem) => {
      const found = issues(spec);
      expect(found.map((i) => i.field)).toEqual([field]);
      expect(found[0]?.problem).toMatch(problem);
    });

    it('a kubeConfig: the puller would install the release in the wrong cluster', () => {
      const refusal = refusalOf(() => decoded('  kubeConfig: {secretRef: {name: remote}}\n'));
      expect(refusal).toMatchObject({ code: 'ValidationFailed', field: 'spec.kubeConfig' });
      expect(refusal.message).toContain('remote clusters are not supported');
    });

    it('a missing interval once, though the implied chart reads it too', () => {
      const text = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}
`;
      expect(issuesOf(text, decodeHelmRelease)).toEqual([{ field: 'spec.interval', problem: 'is required' }]);
    });

    it('both chart and chartRef', () => {
      expect(fields('  chart: {spec: {chart: a, sourceRef: {kind: HelmRepository, name: r}}}\n')).toEqual([
        'spec.chartRef',
      ]);
    });

    it('a chartRef kind Flux does not have', () => {
      const text = release().replace('kind: OCIRepository', 'kind: GitRepository');
      expect(issuesOf(text, decodeHelmRelease).map((i) => i.field)).toEqual(['spec.chartRef.kind']);
    });

    it('through decodeResource, as one ValidationFailed naming the file, the object and every field', () => {
      const refusal = refusalOf(() => decoded('  timeout: soon\n  maxHistory: many\n'));
      expect(refusal.code).toBe('ValidationFailed');
      expect(refusal.field).toBe('spec.timeout');
      expect(refusal.message).toMatch(
        new RegExp(
          `^${FILE}: HelmRelease/apps/podinfo: spec.timeout: .*; spec.maxHistory: expected an integer`,
        ),
      );
    });
  });
});
