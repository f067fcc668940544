// renderHelmTemplate against the bundled helm run directly with Flux's options in the same test: a chart
// with a vendored dependency, a library chart, CRDs in crds/ (its own and its subchart's), hooks with
// weights, test hooks, NOTES.txt and capability checks. Ours must equal helm's, plus Helm's ownership.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPostRenderers,
  type HelmTemplateRequest,
  localHelmTemplateDeps,
  locateChart,
  renderHelmTemplate,
} from '../../shared/adapters/render/helm-template.ts';
import { hookKind } from '../../shared/core/helm/helm-hooks.ts';
import { splitHelmOutput } from '../../shared/core/helm/helm-output.ts';
import { FROM_CRDS_DIR } from '../../shared/core/helm/helm-release-apply.ts';
import { type KubeObject, parseYaml11 } from '../../shared/core/render/yaml-codec.ts';
import { rejectionOf } from '../support/error-of.ts';
import { makeHelmHome, packageChart, runHelm, writeChart } from '../support/helm-charts.ts';

let work: string;
let home: string;
let snapshot: string;
let chartDir: string;

const crd = (group: string, kind: string, scope: string) =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    `  name: ${kind.toLowerCase()}s.${group}`,
    'spec:',
    `  group: ${group}`,
    `  scope: ${scope}`,
    `  names: {kind: ${kind}, plural: ${kind.toLowerCase()}s}`,
    '  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]',
    '',
  ].join('\n');

const hook = (kind: string, name: string, events: string, weight: number) =>
  [
    'apiVersion: v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: {{ .Release.Name }}-${name}`,
    '  annotations:',
    `    helm.sh/hook: ${events}`,
    `    helm.sh/hook-weight: "${weight}"`,
    '    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded',
    ...(kind === 'Pod'
      ? ['spec:', '  restartPolicy: Never', '  containers: [{name: t, image: busybox}]']
      : ['data: {x: "1"}']),
    '',
  ].join('\n');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sluice-helm-template-'));
  home = await makeHelmHome(work);
  snapshot = join(work, 'snapshot');
  chartDir = await writeChart(snapshot, {
    name: 'app',
    version: '1.2.3',
    appVersion: '4.5.6',
    chartYamlExtra: [
      'kubeVersion: ">=1.25.0-0"',
      'dependencies:',
      '  - name: sub',
      '    version: 0.1.0',
      '  - name: lib',
      '    version: 0.1.0',
    ].join('\n'),
    values: 'greeting: hello\nreplicas: 1\nsub:\n  colour: blue\n',
    templates: {
      'configmap.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ include "lib.fullname" . }}',
        '  labels: {app.kubernetes.io/managed-by: Chart, keep: me}',
        'data:',
        '  greeting: {{ .Values.greeting | quote }}',
        '  upgrade: {{ .Release.IsUpgrade | quote }}',
        '  install: {{ .Release.IsInstall | quote }}',
        '  namespace: {{ .Release.Namespace | quote }}',
        '  kube: {{ .Capabilities.KubeVersion.Version | quote }}',
        '  minor: {{ .Capabilities.KubeVersion.Minor | quote }}',
        '  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}',
        '  servicemonitor: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" | quote }}',
        '---',
        '# a document of comments only',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: elsewhere, namespace: other}',
        'stringData: {a: b}',
        '',
      ].join('\n'),
      'cluster.yaml': [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: ClusterRole',
        'metadata: {name: "{{ .Release.Name }}-reader"}',
        'rules: []',
        '---',
        'apiVersion: example.com/v1',
        'kind: Widget',
        'metadata: {name: w}',
        '---',
        'apiVersion: example.com/v1',
        'kind: Gadget',
        'metadata: {name: g}',
        '',
      ].join('\n'),
      'servicemonitor.yaml': [
        '{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}',
        'apiVersion: monitoring.coreos.com/v1',
        'kind: ServiceMonitor',
        'metadata: {name: "{{ .Release.Name }}"}',
        'spec: {endpoints: []}',
        '{{- end }}',
        '',
      ].join('\n'),
      'hooks.yaml': [
        hook('ConfigMap', 'pre-b', 'pre-install', 5),
        hook('ConfigMap', 'pre-a', 'pre-install,pre-upgrade', -1),
        hook('ConfigMap', 'post', 'post-upgrade', 0),
        hook('Pod', 'test', 'test', 0),
        hook('Pod', 'legacy-test', 'test-success', 0),
        hook('ConfigMap', 'unknown', 'not-a-hook', 0),
      ].join('---\n'),
      'NOTES.txt': 'Thanks for installing {{ .Release.Name }}.\n',
    },
    files: {
      'crds/widgets.yaml': `${crd('example.com', 'Widget', 'Namespaced')}---\n${crd('example.com', 'Gadget', 'Cluster')}`,
      'charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 0.1.0\n',
      'charts/sub/values.yaml': 'colour: red\n',
      'charts/sub/templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub-{{ .Release.Name }}}\ndata: {colour: {{ .Values.colour | quote }}}\n',
      'charts/sub/crds/things.yaml': crd('sub.example.com', 'Thing', 'Namespaced'),
      'charts/lib/Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n',
      'charts/lib/templates/_helpers.tpl':
        '{{- define "lib.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}\n',
    },
  });
});
afterAll(() => rm(work, { recursive: true, force: true }));

const capabilities = {
  kubeVersion: 'v1.31.2',
  apiVersions: ['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', 'apps/v1'],
};

function request(over: Partial<HelmTemplateRequest> = {}): HelmTemplateRequest {
  return {
    chartPath: chartDir,
    releaseName: 'web',
    namespace: 'apps',
    values: { greeting: 'hi', sub: { colour: 'green' } },
    isUpgrade: false,
    includeCrds: true,
    disableHooks: false,
    capabilities,
    scratchDir: join(work, 'scratch'),
    ...over,
  };
}

/** `helm template` run directly, with the flags helm-controller's options amount to. */
async function bareHelm(req: HelmTemplateRequest): Promise<{ text: string; objects: KubeObject[] }> {
  const valuesFile = join(work, 'values.yaml');
  await writeFile(valuesFile, JSON.stringify(req.values));
  const { stdout } = await runHelm(
    [
      'template',
      req.releaseName,
      req.chartPath,
      '--namespace',
      req.namespace,
      '--values',
      valuesFile,
      '--kube-version',
      req.capabilities.kubeVersion,
      ...req.capabilities.apiVersions.flatMap((v) => ['--api-versions', v]),
      ...(req.isUpgrade ? ['--is-upgrade'] : []),
      ...(req.includeCrds ? ['--include-crds'] : []),
      ...(req.disableHooks ? ['--no-hooks'] : []),
    ],
    { home },
  );
  const objects = splitHelmOutput(stdout)
    .map((d) => (parseYaml11(d.text) as { value: KubeObject | null }).value)
    .filter((o): o is KubeObject => o !== null);
  return { text: stdout, objects };
}

const meta = (o: KubeObject) => (o.metadata ?? {}) as Record<string, Record<string, string> | string>;
const annotations = (o: KubeObject) => (meta(o).annotations ?? {}) as Record<string, string>;
const labels = (o: KubeObject) => (meta(o).labels ?? {}) as Record<string, string>;
const names = (objs: KubeObject[]) => objs.map((o) => `${o.kind}/${meta(o).name}`);

/** Ours without what Sluice adds (ownership, the defaulted namespace), to compare with bare helm. */
function withoutAdditions(ours: KubeObject, bare: KubeObject): KubeObject {
  const m = { ...meta(ours) } as Record<string, unknown>;
  const bareMeta = meta(bare) as Record<string, unknown>;
  if (bareMeta.namespace === undefined) delete m.namespace;
  for (const key of ['labels', 'annotations'] as const) {
    const theirs = (bareMeta[key] ?? {}) as Record<string, string>;
    const mine = { ...((m[key] ?? {}) as Record<string, string>) };
    for (const k of [
      'app.kubernetes.io/managed-by',
      'meta.helm.sh/release-name',
      'meta.helm.sh/release-namespace',
      FROM_CRDS_DIR,
    ])
      if (theirs[k] === undefined) delete mine[k];
      else mine[k] = theirs[k] as string;
    if (Object.keys(mine).length === 0 && bareMeta[key] === undefined) delete m[key];
    else m[key] = mine;
  }
  return { ...ours, metadata: m };
}

describe('renderHelmTemplate', () => {
  it('finds the chart in a snapshot: a directory holding Chart.yaml, or a chart archive', async () => {
    expect(await locateChart(snapshot)).toBe(chartDir);
    expect(await locateChart(chartDir)).toBe(chartDir);
    const archiveSnapshot = join(work, 'archive-snapshot');
    const tgz = await packageChart(chartDir, archiveSnapshot, home);
    expect(await locateChart(archiveSnapshot)).toBe(tgz);
    expect((await rejectionOf(locateChart(join(work, 'scratch-missing')))).code).toBe('PathNotFound');
  });

  it('renders what bare helm template renders, split into release objects, hooks and CRDs', async () => {
    const req = request();
    const [ours, bare] = await Promise.all([renderHelmTemplate(req), bareHelm(req)]);
    const bareKept = bare.objects.filter((o) => hookKind(o) !== 'test');
    const oursAll = [...ours.crds, ...ours.manifests, ...ours.hooks];
    expect(names(oursAll)).toEqual(names(bareKept));
    expect(oursAll.map((o, i) => withoutAdditions(o, bareKept[i] as KubeObject))).toEqual(bareKept);

    expect(names(ours.crds)).toEqual([
      'CustomResourceDefinition/widgets.example.com',
      'CustomResourceDefinition/gadgets.example.com',
      'CustomResourceDefinition/things.sub.example.com',
    ]);
    for (const c of ours.crds) expect(annotations(c)[FROM_CRDS_DIR]).toBe('true');
    expect(names(ours.hooks)).toEqual(['ConfigMap/web-pre-b', 'ConfigMap/web-pre-a', 'ConfigMap/web-post']);
    expect(annotations(ours.hooks[1] as KubeObject)).toEqual({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '-1',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(JSON.stringify(ours)).not.toContain('Thanks for installing');
    expect(ours.chart).toMatchObject({ name: 'app', version: '1.2.3', appVersion: '4.5.6' });
    expect(ours.chart.metadata).toMatchObject({ kubeVersion: '>=1.25.0-0', apiVersion: 'v2' });
  });

  it('gives every release object the ownership metadata helm install adds, and no hook or CRD', async () => {
    const ours = await renderHelmTemplate(request());
    for (const o of ours.manifests) {
      expect(labels(o)['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(annotations(o)['meta.helm.sh/release-name']).toBe('web');
      expect(annotations(o)['meta.helm.sh/release-namespace']).toBe('apps');
    }
    const cm = ours.manifests.find((o) => meta(o).name === 'web-app') as KubeObject;
    expect(labels(cm)).toEqual({ 'app.kubernetes.io/managed-by': 'Helm', keep: 'me' });
    for (const o of [...ours.hooks, ...ours.crds]) {
      expect(annotations(o)['meta.helm.sh/release-name']).toBeUndefined();
      expect(labels(o)['app.kubernetes.io/managed-by']).toBeUndefined();
    }
  });

  it('puts namespaced objects without a namespace in the release namespace, as helm install applies them', async () => {
    const ours = await renderHelmTemplate(request());
    const ns = (name: string) =>
      meta([...ours.manifests, ...ours.hooks].find((o) => meta(o).name === name) as KubeObject).namespace;
    expect(ns('web-app')).toBe('apps');
    expect(ns('elsewhere')).toBe('other');
    expect(ns('web-pre-a')).toBe('apps');
    expect(ns('w')).toBe('apps'); // a Namespaced CRD of the chart
    expect(ns('g')).toBeUndefined(); // a Cluster-scoped CRD of the chart
    expect(ns('web-reader')).toBeUndefined(); // ClusterRole
  });

  it('passes the cluster capabilities and --is-upgrade to the templates', async () => {
    const install = await renderHelmTemplate(request());
    const data = (r: typeof install) =>
      (r.manifests.find((o) => meta(o).name === 'web-app') as KubeObject).data as Record<string, string>;
    expect(data(install)).toMatchObject({
      upgrade: 'false',
      install: 'true',
      kube: 'v1.31.2',
      minor: '31',
      monitoring: 'true',
      servicemonitor: 'true',
      namespace: 'apps',
    });
    expect(names(install.manifests)).toContain('ServiceMonitor/web');

    const req = request({ isUpgrade: true, capabilities: { kubeVersion: 'v1.29.0', apiVersions: [] } });
    const [upgrade, bare] = await Promise.all([renderHelmTemplate(req), bareHelm(req)]);
    expect(data(upgrade)).toMatchObject({
      upgrade: 'true',
      install: 'false',
      kube: 'v1.29.0',
      monitoring: 'false',
    });
    expect(names(upgrade.manifests)).not.toContain('ServiceMonitor/web');
    expect(names([...upgrade.crds, ...upgrade.manifests, ...upgrade.hooks])).toEqual(
      names(bare.objects.filter((o) => hookKind(o) !== 'test')),
    );
  });

  it('leaves out CRDs without includeCrds and hooks with disableHooks', async () => {
    const req = request({ includeCrds: false, disableHooks: true });
    const [ours, bare] = await Promise.all([renderHelmTemplate(req), bareHelm(req)]);
    expect(ours.crds).toEqual([]);
    expect(ours.hooks).toEqual([]);
    expect(names(ours.manifests)).toEqual(names(bare.objects));
  });

  it('stores the release manifest as Helm does: bare helm output without hooks and CRDs', async () => {
    const req = request({ includeCrds: false, disableHooks: true });
    const [ours, bare] = await Promise.all([renderHelmTemplate(req), bareHelm(req)]);
    expect(ours.manifestText.trim()).toBe(bare.text.trim());
    expect(ours.manifestText).toContain('# a document of comments only');
  });

  it('renders a packaged chart the same as its directory', async () => {
    const tgz = await packageChart(chartDir, join(work, 'packaged'), home);
    const [fromDir, fromArchive] = await Promise.all([
      renderHelmTemplate(request()),
      renderHelmTemplate(request({ chartPath: tgz })),
    ]);
    expect(fromArchive.manifests).toEqual(fromDir.manifests);
    // helm package writes Chart.yaml back in its own form (every dependency gains `repository: ""`).
    expect(fromArchive.chart).toMatchObject({ name: 'app', version: '1.2.3', appVersion: '4.5.6' });
  });

  it('fails with the chart error when a template does not render', async () => {
    const broken = await writeChart(join(work, 'broken'), {
      name: 'broken',
      version: '0.1.0',
      templates: { 'cm.yaml': '{{ required "set image.tag" .Values.image }}\n' },
    });
    const err = await rejectionOf(renderHelmTemplate(request({ chartPath: broken })));
    expect(err.code).toBe('BuildFailed');
    expect(err.message).toContain('set image.tag');
  });

  it('refuses a chart whose kubeVersion the cluster does not meet', async () => {
    const req = request({ capabilities: { kubeVersion: 'v1.24.0', apiVersions: [] } });
    expect((await rejectionOf(renderHelmTemplate(req))).code).toBe('BuildFailed');
  });
});

describe('post-renderers', () => {
  it('apply Flux kustomize patches and images to templates and hooks, in order', async () => {
    const ours = await renderHelmTemplate(
      request({
        postRenderers: [
          {
            patches: [
              {
                patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: any, labels: {patched: "one"}}\n',
                target: { kind: 'ConfigMap' },
              },
            ],
            images: [],
          },
          {
            patches: [
              {
                patch: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-app, labels: {patched: two}}\n',
              },
            ],
            images: [{ name: 'busybox', newTag: '1.36' }],
          },
        ],
      }),
    );
    const byName = (name: string) =>
      [...ours.manifests, ...ours.hooks].find((o) => meta(o).name === name) as KubeObject;
    expect(labels(byName('web-app')).patched).toBe('two');
    expect(labels(byName('sub-web')).patched).toBe('one');
    expect(labels(byName('web-pre-a')).patched).toBe('one');
    expect(annotations(byName('web-pre-a'))['postrenderer.helm.sh/postrender-filename']).toBeUndefined();
    expect(labels(byName('web-app'))['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(ours.manifestText).toContain('patched: two');
    expect(ours.crds.every((c) => labels(c).patched === undefined)).toBe(true);
  });

  it('name the post-renderer and patch that matches no object', async () => {
    const err = await rejectionOf(
      renderHelmTemplate(
        request({
          postRenderers: [
            { patches: [], images: [{ name: 'x', newTag: '1' }] },
            {
              patches: [
                { patch: '- op: add\n  path: /x\n  value: 1\n', target: { kind: 'Nothing' } },
                {
                  patch:
                    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: missing}\nspec: {replicas: 2}\n',
                },
              ],
              images: [],
            },
          ],
        }),
      ),
    );
    expect(err.code).toBe('KustomizeFailed');
    expect(err.field).toBe('spec.postRenderers[1].kustomize.patches[1]');
  });

  it('can be run on their own over any objects', async () => {
    const deps = localHelmTemplateDeps({ scratchDir: join(work, 'scratch') });
    const out = await applyPostRenderers(
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }],
      [
        {
          patches: [{ patch: '- op: add\n  path: /data\n  value: {k: v}\n', target: { name: 'a' } }],
          images: [],
        },
      ],
      deps,
    );
    expect(out).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }]);
  });
});
